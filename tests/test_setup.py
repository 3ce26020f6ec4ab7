"""Set-up on a fresh machine: one list of system packages for make, CI and the image; fonts cut at set-up."""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bin" / "system-packages"


def _recipe(target: str) -> tuple[str, str]:
    """(prerequisites, recipe) of a Makefile target."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:([^\n]*)\n((?:\t[^\n]*\n)*)", text, re.MULTILINE)
    assert match, target
    return match.group(1), match.group(2)


def _listed(*groups: str) -> list[str]:
    out = subprocess.run([str(SCRIPT), "--list", *groups], capture_output=True, text=True, check=True).stdout
    return out.split()


def test_make_run_and_make_test_install_system_packages_first():
    run_needs, _run = _recipe("run")
    test_needs, _test = _recipe("test")
    assert run_needs.split()[0] == "system-runtime"
    assert test_needs.split()[0] == "system-test"
    assert "bin/system-packages runtime" in _recipe("system-runtime")[1]
    assert "bin/system-packages runtime test" in _recipe("system-test")[1]


def test_make_run_cuts_the_print_fonts_before_serving():
    run_needs, recipe = _recipe("run")
    assert "fonts" in run_needs.split()
    assert "print_fonts" in _recipe("fonts")[1]
    assert "runserver" in recipe


def test_ci_and_the_image_use_the_same_list():
    ci = (ROOT / ".ci" / "run").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "bin/system-packages ci runtime test" in ci
    assert "system-packages runtime" in dockerfile
    for text in (ci, dockerfile):
        assert "apt-get install" not in text  # no second list to drift from the script's
    assert "print_fonts" in dockerfile


def test_the_list_holds_what_pdfs_and_tests_need():
    assert {"fonts-noto-cjk", "libpango-1.0-0", "libharfbuzz-subset0"} <= set(_listed("runtime"))
    assert {"poppler-utils", "chromium", "chromium-driver"} <= set(_listed("test"))
    assert {"postgresql", "redis-server"} <= set(_listed("ci"))


def _fake_bin(tmp_path, tools: dict[str, str]) -> dict:
    """A PATH holding only ``tools`` (name -> shell body) and the few real commands the script uses."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for real in ("cat", "sh"):
        (folder / real).symlink_to(
            subprocess.run(["sh", "-c", f"command -v {real}"], capture_output=True, text=True).stdout.strip()
        )
    for name, body in tools.items():
        path = folder / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return {"PATH": str(folder), "HOME": str(tmp_path)}


def _run(env):
    return subprocess.run(
        ["/bin/sh", str(SCRIPT), "runtime", "test"], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )


def test_without_apt_it_stops_naming_the_command(tmp_path):
    result = _run(_fake_bin(tmp_path, {}))
    assert result.returncode == 1
    assert "sudo apt-get install --no-install-recommends" in result.stderr
    assert "fonts-noto-cjk" in result.stderr and "chromium" in result.stderr


def test_as_a_user_without_sudo_it_stops_naming_the_missing_packages(tmp_path):
    env = _fake_bin(
        tmp_path,
        {
            "dpkg-query": 'case "$3" in fonts-noto-cjk|poppler-utils) exit 1;; *) printf installed;; esac',
            "apt-get": "echo should-not-run >&2; exit 3",
            "id": "echo 1000",
        },
    )
    result = _run(env)
    assert result.returncode == 1
    assert "sudo apt-get install --no-install-recommends fonts-noto-cjk poppler-utils" in result.stderr


@pytest.mark.parametrize("who", ["root", "sudoer"])
def test_it_installs_only_what_is_missing(tmp_path, who):
    log = tmp_path / "apt.log"
    tools = {
        "dpkg-query": 'case "$3" in chromium|chromium-driver) exit 1;; *) printf installed;; esac',
        "apt-get": f'echo "$*" >> {log}',
        "id": "echo 0" if who == "root" else "echo 1000",
    }
    if who == "sudoer":
        tools["sudo"] = f'[ "$1" = -n ] && exit 0; echo sudo >> {log}; "$@"'
    result = _run(_fake_bin(tmp_path, tools))
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls[-1] == "install -y -qq --no-install-recommends chromium chromium-driver"
    assert ("sudo" in calls) is (who == "sudoer")


def test_everything_present_means_nothing_to_do(tmp_path):
    env = _fake_bin(tmp_path, {"dpkg-query": "printf installed", "apt-get": "exit 3", "id": "echo 1000"})
    result = _run(env)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_it_can_be_skipped_on_a_machine_set_up_otherwise(tmp_path):
    env = {**_fake_bin(tmp_path, {}), "SYSTEM_PACKAGES": "skip"}
    assert _run(env).returncode == 0


def test_the_script_is_executable():
    assert os.access(SCRIPT, os.X_OK)
