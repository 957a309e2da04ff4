"""HEAD of a recording answers its headers without computing the export (issue 8: HEAD ran
the whole export); it needs the same token as GET."""

from api.flows import CONTROL, new_sandbox


def test_head_of_a_recording_is_cheap_and_guarded(control):
    sb = new_sandbox(control, preset="demo")
    head = sb.client.open(
        f"/api/v1/sandboxes/{sb.sid}/recording", method="HEAD", headers={"Authorization": f"Bearer {sb.token}"}
    )
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Disposition"].endswith(f'{sb.sid}.yaml"')
    assert sb.client.open(f"/api/v1/sandboxes/{sb.sid}/recording", method="HEAD").status_code == 401
    get = sb.client.get(f"/api/v1/sandboxes/{sb.sid}/recording", headers={"Authorization": f"Bearer {CONTROL}"})
    assert get.status_code == 200 and get.data
