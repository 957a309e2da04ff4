"""The required-slot table (process.md §3.1) as a table test: entity type × province × owner-is-legal-rep
× non-local ID × site count × pre-approval → the slots an order needs."""

import pytest
from support.people import person, resident_id

from backend.domain import limits, materials

BOSS = person(name="王五", cert=resident_id("44030519800101456"))
REP = {"name": "赵六", "certificate_number": resident_id("44030519700101789")}
OTHER = person(name="李四", cert=resident_id("44030519850505001"))
HUBEI_ID = resident_id("42010619900101001")


def personal(province="44", cert=None):
    return {
        "type": "personal",
        "certificate_type": "resident_id",
        "certificate_number": cert or BOSS["certificate_number"],
        "province": province,
        "responsible": BOSS,
    }


def org(province="44", rep=None, kind="enterprise"):
    ent = {"type": kind, "certificate_type": "uscc", "province": province, "responsible": BOSS}
    if rep:
        ent["legal_representative"] = rep
    return ent


def site(owner=None, content="blog", pre=None):
    out = {"service_content": content}
    if owner:
        out["responsible"] = owner
    if pre:
        out["pre_approvals"] = pre
    return out


BASE_P = ["entity_owner_id_front", "entity_owner_id_back", "commitment_letter"]
BASE_O = ["entity_certificate"] + BASE_P

CASES = [
    # (name, kind, entity, websites, province, existing, expected)
    ("personal-local", "first_filing", personal(), [site()], "44", 0, BASE_P),
    ("personal-nonlocal-permit", "first_filing", personal("42"), [site()], "42", 0, BASE_P + ["residence_permit"]),
    ("personal-local-hubei", "first_filing", personal("42", HUBEI_ID), [site()], "42", 0, BASE_P),
    ("personal-nonlocal-refused-province-no-permit-slot", "first_filing", personal("41"), [site()], "41", 0, BASE_P),
    ("org-owner-is-rep", "first_filing", org(), [site()], "44", 0, BASE_O),
    (
        "org-owner-not-rep-auth-province",
        "first_filing",
        org("51", REP),
        [site()],
        "51",
        0,
        BASE_O + ["authorization_letter"],
    ),
    ("org-owner-not-rep-any-province", "first_filing", org("11", REP), [site()], "11", 0, BASE_O),
    (
        "org-site-owner-differs",
        "first_filing",
        org(),
        [site(OTHER)],
        "44",
        0,
        BASE_O + ["websites.0.owner_id_front", "websites.0.owner_id_back"],
    ),
    (
        "org-site-owner-not-rep-hubei",
        "first_filing",
        org("42", REP),
        [site(OTHER)],
        "42",
        0,
        BASE_O + ["websites.0.owner_id_front", "websites.0.owner_id_back", "websites.0.owner_authorization_letter"],
    ),
    (
        "org-two-sites-pre-approval",
        "first_filing",
        org(),
        [site(), site(content="news", pre=[{"type": "news"}])],
        "44",
        0,
        BASE_O + ["websites.1.pre_approval_document"],
    ),
    (
        "org-gd-finance",
        "first_filing",
        org(),
        [site(content="finance")],
        "44",
        0,
        BASE_O + ["websites.0.pre_approval_document", "websites.0.gd_finance_commitment"],
    ),
    (
        "org-jiangsu-domain-certificate",
        "first_filing",
        org("32"),
        [site(), site()],
        "32",
        0,
        BASE_O + ["websites.0.domain_certificate", "websites.1.domain_certificate"],
    ),
    ("org-xinjiang-party-building", "first_filing", org("65"), [site()], "65", 0, BASE_O + ["party_building_letter"]),
    ("org-xinjiang-access-no-party-building", "access_filing", org("65"), [site()], "65", 0, BASE_O),
    (
        "org-hunan-existing-sites-plan",
        "add_website",
        org("43"),
        [site()],
        "43",
        2,
        BASE_O + ["websites.0.domain_certificate", "website_construction_plan"],
    ),
    # 编办证明 / 事业单位网站开办审核申请表: government bodies and institutions in YN, NM, HL, JX (§3.1, §8)
    *[
        (f"{kind}-{prov}-establishment-approval", "first_filing", org(prov, kind=kind), [site()], prov, 0, want)
        for prov in ("53", "15", "23", "36")
        for kind, want in (
            ("government", BASE_O + ["establishment_approval"]),
            ("institution", BASE_O + ["establishment_approval"]),
            ("enterprise", BASE_O),
        )
    ],
    (
        "institution-44-no-establishment-approval",
        "first_filing",
        org("44", kind="institution"),
        [site()],
        "44",
        0,
        BASE_O,
    ),
    (
        "institution-jx-add-website",
        "add_website",
        org("36", kind="institution"),
        [site()],
        "36",
        1,
        BASE_O + ["establishment_approval"],
    ),
    ("institution-jx-access-no-approval", "access_filing", org("36", kind="institution"), [site()], "36", 0, BASE_O),
    # 网站建设方案书: Shanghai ≥ 30 websites, Guangdong > 30 (on record + this order's), organisations
    ("org-sh-30-sites-plan", "add_website", org("31"), [site()], "31", 29, BASE_O + ["website_construction_plan"]),
    ("org-sh-29-sites-no-plan", "add_website", org("31"), [site()], "31", 28, BASE_O),
    ("org-gd-31-sites-plan", "add_website", org(), [site(), site()], "44", 29, BASE_O + ["website_construction_plan"]),
    ("org-gd-30-sites-no-plan", "add_website", org(), [site()], "44", 29, BASE_O),
    (
        "org-js-40-sites-no-plan",
        "add_website",
        org("32"),
        [site()],
        "32",
        39,
        BASE_O + ["websites.0.domain_certificate"],
    ),
    ("personal-gd-no-plan", "add_website", personal(), [site()], "44", 40, BASE_P),
    ("change-needs-nothing", "change_website", org(), [site()], "44", 1, []),
    ("cancel-needs-nothing", "cancel_entity", org(), [], "44", 1, []),
]


@pytest.mark.parametrize("name,kind,entity,websites,province,existing,expected", CASES, ids=[c[0] for c in CASES])
def test_required_slots(name, kind, entity, websites, province, existing, expected):
    got = [s.key for s in materials.required(kind, entity, websites, province, existing)]
    assert got == expected


def test_every_slot_has_a_label_and_a_reason():
    for case in CASES:
        for slot in materials.required(*case[1:6]):
            assert slot.zh and slot.why


def test_check_image_reasons():
    from support.images import FAKE_PDF, png

    with pytest.raises(materials.BadImage) as e:
        materials.check_image(FAKE_PDF, 10_000, 300)
    assert e.value.code == "MATERIAL_NOT_IMAGE"
    with pytest.raises(materials.BadImage) as e:
        materials.check_image(png(1, 1), 10_000, 300)
    assert e.value.code == "MATERIAL_RESOLUTION_TOO_LOW"
    with pytest.raises(materials.BadImage) as e:
        materials.check_image(png(), 100, 300)
    assert e.value.code == "MATERIAL_TOO_LARGE"
    assert materials.check_image(png(400, 300), 10**6, 300)["height"] == 300


@pytest.mark.parametrize("width, height", [(30000, 30000), (8000, 6251), (100_000, 600)])
def test_an_image_of_too_many_pixels_is_too_large_not_unreadable(width, height):
    """Judged from the header, before any decode: past Pillow's own bomb cap (30000×30000, at
    open) and below it (50,008,000 pixels, one row over the limit), one clear answer."""
    from support.images import huge_png

    with pytest.raises(materials.BadImage) as e:
        materials.check_image(huge_png(width, height), 10**6, 300)
    assert e.value.code == "MATERIAL_RESOLUTION_TOO_HIGH" and "5000 万" in e.value.message
    assert width * height > limits.MAX_IMAGE_PIXELS


def test_an_image_checked_again_is_answered_from_its_content_without_decoding(monkeypatch):
    """The same bytes under the same limits are judged once (a pure function of them): the same
    facts again, a copy the caller may change, no decode; other limits or bytes are judged anew,
    a refused image is never kept, and the memory is bounded."""
    from support.images import png

    data = png(400, 300)
    first = materials.check_image(data, 10**6, 300)
    first["width"] = -1  # the caller's own copy
    monkeypatch.setattr(materials, "_check_image", lambda *a: pytest.fail("decoded again"))
    again = materials.check_image(data, 10**6, 300)
    assert again["width"] == 400 and again == dict(first, width=400)
    monkeypatch.undo()
    with pytest.raises(materials.BadImage):
        materials.check_image(data, 100, 300)  # other limits: judged, and refused
    with pytest.raises(materials.BadImage):
        materials.check_image(data, 100, 300)  # still refused: refusals are not kept
    for i in range(materials._CHECKED_MAX + 5):
        materials.check_image(png(300 + i, 300), 10**6, 300)
    assert len(materials._CHECKED) == materials._CHECKED_MAX
