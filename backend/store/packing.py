"""Compact storage of JSON documents: raw deflate against a preset dictionary, as text.

Most of what a sandbox keeps is the same vocabulary again and again — the key names of an
application, its history events' states and reasons, the outbox's notices, the journal's
paths. A document is stored deflated with `vocabulary_v1.txt` as deflate's preset
dictionary (typical documents of each kind, with made-up people), so a value costs about
what it says that the vocabulary does not: an outbox notice ~30 bytes instead of ~250, an
approved application ~300 instead of ~1,700. Base64 keeps it text (the store reads with
decode_responses=True): C-fast both ways, where Base85 (the first format, `~1`, still read)
is pure Python and cost a tenth of a millisecond per value — a sizeable share of a transition. `unpack` returns exactly the text `pack` was given, so everything
read back — API answers, recordings, snapshots — is byte for byte what it was.

A packed value starts with `TAG` (`~2`: vocabulary version 1, Base64), which no JSON text does, so
plain JSON written before (or by hand, or by a snapshot) reads as it is. A chat message is packed
against a vocabulary of its own (`CHAT_TAG`, `~3`: `vocabulary_chat_v1.txt`, the chat's forms,
cards and fixed texts as stored, built once by tools/build_chat_vocabulary.py): most of a
transcript is the chat's static parts again (a form's option lists alone are kilobytes), so a
message costs what its values add — a first filing's conversation ~3 KB instead of ~11. The vocabulary is
frozen: changing a byte of it would make stored values unreadable. A new vocabulary goes in
a new file under a new tag, and `unpack` keeps reading the old one.
"""

import base64
import json
import zlib
from pathlib import Path

TAG = "~2"
B85_TAG = "~1"  # the first format (the same vocabulary, Base85): still read, no longer written
VOCABULARY = (Path(__file__).parent / "vocabulary_v1.txt").read_bytes()

# Primed once with the dictionary; each value copies them (copying is ~10× cheaper than
# priming a new one with a 13 KB dictionary). The copy is what costs, so the compressor's state
# is kept small: a 16 KB window (wbits -14) still holds the whole 13,358-byte vocabulary, and
# memLevel 5 (a 4,096-entry hash, 2,048-symbol blocks) finds the same matches in documents of
# this size. Its state is ~80 KB where the 32 KB window at memLevel 9 that packed values
# before was ~380 KB, in blocks big enough to be fresh memory from the system on every copy:
# a value packs in a few µs instead of tens (to over 100 when the allocator returns the memory).
# The output is the same deflate format, and for nearly every value the same bytes. The
# decompressor keeps a 32 KB window: it reads streams made with any window up to that, so the
# values packed before read as they did.
# Level 4, not 9: deflate's search for longer matches is most of a pack's own time, and on
# the API's documents level 4 packs ~40% faster for ~6% more bytes (82 responses of the golden
# transcripts: 18.5 µs vs 32.1 µs a value, 22.3 KB vs 21.0 KB in all).
LEVEL, WBITS, MEM_LEVEL = 4, -14, 5
_COMPRESS = zlib.compressobj(LEVEL, zlib.DEFLATED, WBITS, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, VOCABULARY)
_DECOMPRESS = zlib.decompressobj(-15, VOCABULARY)

CHAT_TAG = "~3"
CHAT_VOCABULARY = (Path(__file__).parent / "vocabulary_chat_v1.txt").read_bytes()
# a 32 KB window: the whole chat vocabulary (~25 KB) within reach; measured as cheap to copy here
_COMPRESS_CHAT = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, CHAT_VOCABULARY)
_DECOMPRESS_CHAT = zlib.decompressobj(-15, CHAT_VOCABULARY)


def pack(text: str, chat: bool = False) -> str:
    """The stored form of a JSON text: packed when that is shorter, else the text itself
    (`chat`: a conversation's message, against the chat's vocabulary)."""
    raw = text.encode()
    c = (_COMPRESS_CHAT if chat else _COMPRESS).copy()
    packed = (CHAT_TAG if chat else TAG) + base64.b64encode(c.compress(raw) + c.flush()).decode("ascii")
    return packed if len(packed) < len(raw) else text


def unpack(stored: str) -> str:
    """The JSON text of a stored value (packed or not)."""
    if stored.startswith(CHAT_TAG):
        d = _DECOMPRESS_CHAT.copy()
        return (d.decompress(base64.b64decode(stored[len(CHAT_TAG) :])) + d.flush()).decode()
    if stored.startswith(TAG):
        data = base64.b64decode(stored[len(TAG) :])
    elif stored.startswith(B85_TAG):
        data = base64.b85decode(stored[len(B85_TAG) :])
    else:
        return stored
    d = _DECOMPRESS.copy()
    return (d.decompress(data) + d.flush()).decode()


# json.dumps with these options builds this encoder on every call; built once, it writes the same text
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dumps(doc):
    """A document's JSON text: compact, keys sorted, UTF-8 as is."""
    return _ENCODER.encode(doc)


def encode(doc):
    """A document as stored: its JSON text, packed."""
    return pack(dumps(doc))


def encode_message(doc):
    """A chat message as stored: its JSON text, packed against the chat's vocabulary."""
    return pack(dumps(doc), chat=True)


def decode(raw):
    """A stored document (packed or plain JSON) back to Python."""
    return json.loads(unpack(raw))
