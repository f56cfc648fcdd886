"""``visualizer validate``: a scenario checked without running it, exit 0 or 2."""

from __future__ import annotations

from visualizer.cli import commands as cli

GOOD = """\
[scenario]
name = "two-keys"

[[faults]]
at_s = 20.0
action = "set"
values = { state.mode = "shared", balancer.sticky = false }
"""


def validate(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_good_file_and_a_preset_pass(capsys, tmp_path):
    path = tmp_path / "two-keys.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert validate(capsys, str(path)) == (0, f"{path}: ok (1 scheduled command)\n", "")
    code, out, _ = validate(capsys, "sticky-crash")
    assert code == 0 and out == "sticky-crash: ok (2 scheduled commands)\n"


def test_a_bad_values_entry_exits_2_naming_the_key(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("balancer.sticky = false", "servers.count = 0"), "utf-8")
    code, out, err = validate(capsys, str(path))
    assert code == 2 and out == ""
    assert err == (
        f"visualizer: error: {path}: faults[1]: values: servers.count = 0 is not allowed "
        "(out of range); expected an integer from 1 to 64\n"
    )
    path.write_text(GOOD.replace("balancer.sticky", "balancer.stiky"), "utf-8")
    code, _, err = validate(capsys, str(path))
    assert code == 2 and "values: balancer.stiky is not a setting; allowed: " in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_overrides_are_checked_with_the_schedule(capsys):
    code, _, err = validate(capsys, "sticky-crash", "--set", "servers.count=1")
    assert code == 2 and "target server-2 never exists" in err
