"""Every bound of the simulator in one place: what the wire (marshmallow), the domain and the
services check against. A bound changes here, nowhere else."""

# an order
MAX_WEBSITES = 10  # per organisation order; a personal order carries exactly one
MAX_REASON = 200  # free-text reason of a cancellation or an operator's move

# text fields (characters)
MAX_TEXT = 100  # entity name, address, e-mail, domain holder
MAX_WEBSITE_NAME = 50
MAX_PERSON_NAME = 50
MAX_CERTIFICATE_NUMBER = 40
MAX_RECORD_NUMBER = 40  # 粤ICP备2026012345号-1 and its variants
MAX_MOBILE = 20
MAX_PROVINCE = 20  # a code (44, 440000) or a name (广东省)
MAX_DOMAIN = 253  # DNS
MAX_URL = 2048  # 网站首页地址 (browsers' practical limit)
MAX_IP = 45  # the longest textual IPv6
MAX_DOCUMENT_ID = 20  # W0001, E0001, …
MAX_STREET = 100  # the street part of a mailing address (process.md §2)
MAX_REMARK = 200  # 主体备注 / 网站备注 (process.md §2.1, §2.3; no published bound: a choice)
MAX_CERT_ADDRESS = 100  # 证件住所, as printed on the certificate

# the clock
MAX_CLOCK_SCALE = 10_000_000  # virtual seconds per real second
MIN_RUNNING_CLOCK_SCALE = 0.001  # a slower running clock is a paused one (scale 0)
MAX_ADVANCE_DAYS = 400  # one advance (a duration or until idle) runs the clock at most ~13 months ahead
MAX_ADVANCE_SECONDS = MAX_ADVANCE_DAYS * 86400

# a sandbox
MAX_SEED_CHARS = 64  # a string seed
MAX_SANDBOX_NAME = 64
MAX_IDLE_TTL_SECONDS = 366 * 86400  # a sandbox deleted after this long without a call at most

# materials and face checks (issue #12); Tencent's own byte/pixel limits are not published (process.md §3.2)
MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # Alibaba and Huawei: 4 MB per image
# an upload request's hard cap: a larger body is refused unread; up to it, an over-size file is
# read and told its real size (a phone's full-resolution photo is 3-15 MB)
MAX_UPLOAD_REQUEST_BYTES = 20 * 1024 * 1024
MIN_IMAGE_SIDE = 300  # pixels on the short side [inference]: a 1×1 or thumbnail is refused
# pixels at most (width × height), judged from the file's header before anything is decoded: a
# few-KB PNG may claim 30000×30000 (900 M pixels, 2.7 GB once decoded). A 48 MP phone photo is 8000×6000.
MAX_IMAGE_PIXELS = 50_000_000
MAX_UPLOADS_PER_SANDBOX = 200  # files kept at once
MAX_UPLOAD_BYTES_PER_SANDBOX = 100 * 1024 * 1024
MAX_FILENAME = 100
