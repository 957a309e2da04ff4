"""The domain's remembered pure functions (a review asks the same few ID numbers, domains and
provinces many times): bounded caches, answers as before, callers free to change what they get."""

import pytest
from support.people import ZHANG_SAN_ID

from backend.domain import domain_names, identity_checks as ids, provinces


@pytest.mark.parametrize(
    "cached",
    [ids._resident_id_problems, ids.birth_date, ids.id_province, domain_names._normalized, domain_names._ascii],
)
def test_the_caches_are_bounded(cached):
    assert cached.cache_info().maxsize == 4096
    assert provinces._code_of.cache_info().maxsize == 1024


def test_a_problem_list_is_the_callers_own():
    problems = ids.check_resident_id("110101199001011234")
    assert problems and problems[0][0] == "ID_CHECKSUM_INVALID"
    problems.append(("MINE", "added by the caller"))
    assert ids.check_resident_id("110101199001011234") == [problems[0]]
    fine = ids.check_resident_id(ZHANG_SAN_ID)
    fine.append(("MINE", "added by the caller"))
    assert ids.check_resident_id(ZHANG_SAN_ID) == []


@pytest.mark.parametrize("value", [None, 12, ["zhangsan-blog.cn"], {"d": 1}, ""])
def test_what_is_not_text_reads_as_before(value):
    assert domain_names.normalize_domain(value) == "" and domain_names.domain_ascii(value) == ""
    assert ids.check_resident_id(value)[0][0] == "ID_FORMAT_INVALID"


def test_domains_read_the_same_twice():
    for _ in range(2):
        assert domain_names.normalize_domain(" 张三。CN. ") == "张三.cn"
        assert domain_names.domain_ascii("张三博客．中国") == "张三博客.中国".encode("idna").decode()
        assert domain_names.domain_ascii("ZhangSan-Blog.CN.") == "zhangsan-blog.cn"


def test_an_unknown_province_raises_every_time():
    for _ in range(2):
        with pytest.raises(Exception, match="无法识别的省份「火星」"):
            provinces.normalize("火星")
        with pytest.raises(Exception, match="无法识别的省份「None」"):
            provinces.normalize(None)
    assert provinces.normalize("广东") == provinces.normalize(44) == provinces.normalize("４４０３００") == "44"


def test_a_clock_is_read_once_per_text_and_follows_a_change():
    from backend.domain.clock import Clock
    from backend.services import world

    class Tx:  # what world.clock reads: the sandbox hash
        sid = "sb_x"

        def __init__(self, clock):
            self.doc = {"clock": clock}

        def meta(self):
            return self.doc

    text = '{"anchor_real":5.0,"anchor_virtual":100.0,"scale":0}'
    tx = Tx(text)
    assert world.clock(tx) is world.clock(tx) == Clock(100.0, 5.0, 0.0)
    assert world._clock_of.cache_info().maxsize == 256
    tx.doc["clock"] = '{"anchor_real":5.0,"anchor_virtual":200.0,"scale":1}'
    assert world.clock(tx) == Clock(200.0, 5.0, 1.0)
