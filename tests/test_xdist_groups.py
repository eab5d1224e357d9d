"""The suite's grouping for pytest-xdist (tests/conftest.py) takes effect: tests that share an expensive
fixture of their file run on one worker, so the fixture is built once. xdist turns `xdist_group` marks into
groups in its own collection hook, once; a mark added after it runs is ignored without a word (until 0.3.1
every fixture shared this way was built again on each worker)."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def shared() -> object:
    return object()


def test_a_test_that_shares_a_fixture_of_its_file_is_in_its_files_group(shared, request):
    if not os.environ.get("PYTEST_XDIST_WORKER") or not request.config.getvalue("loadgroup"):
        pytest.skip("the suite runs without pytest-xdist's loadgroup here (e.g. -n 0): there are no groups")
    assert request.node.nodeid.endswith("@test_xdist_groups"), request.node.nodeid


def test_a_test_without_a_shared_fixture_goes_to_any_worker(request):
    assert "@" not in request.node.nodeid
