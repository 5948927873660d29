"""Two copies of the app behind nginx (deploy/replicas.py): a visitor's game survives between requests because
every request of theirs (page, config, upload, queue join, event stream) reaches the same copy.

Slow (starts two apps and nginx, ~1 minute); skips with a reason when nginx is not installed. Loopback only.
"""
from __future__ import annotations

import pytest

from benchmarks.bench_app import free_port
from benchmarks.page_client import PageVisitor
from deploy.replicas import Replicas, nginx_binary

pytestmark = pytest.mark.slow
VISITORS, ROUNDS, MAX_VISITORS = 4, 3, 16


@pytest.fixture(scope="module")
def balancer():
    if nginx_binary() is None:
        pytest.skip("needs nginx (Debian: apt-get install nginx-light); .ci/run installs it")
    with Replicas(count=2, port=free_port()) as replicas:
        yield replicas


def play_rock(visitor: PageVisitor) -> dict:
    """Click "Rock" as the page does: the click event's id, the mode, and the game State (held by the server)."""
    rock = visitor.fn_index_where(lambda d: d["api_name"] == "play")
    return visitor.call(rock, ["habits", None])[0]


def test_the_score_carries_over_across_rounds_on_one_replica_per_visitor(balancer):
    visitors = []
    try:
        # New visitors until both replicas have some (a random cookie picks the replica: 16 all on one is 2**-15).
        while len(visitors) < VISITORS or (len({v.replicas[0] for v in visitors}) < 2 and len(visitors) < MAX_VISITORS):
            visitor = PageVisitor(balancer.url)
            visitors.append(visitor)
            visitor.open_page()
            assert visitor.http.cookies.get("visitor"), "nginx set no sticky cookie"
        for number in range(1, ROUNDS + 1):
            for visitor in visitors:  # interleaved, so one visitor's requests are not simply back to back
                round_ = play_rock(visitor)
                assert round_["rounds"] == number, f"the game was lost between requests: {round_}"
                assert sum(round_["score"].values()) == number
        for visitor in visitors:
            assert len(set(visitor.replicas)) == 1, f"one visitor reached several replicas: {set(visitor.replicas)}"
        served = {visitor.replicas[0] for visitor in visitors}
        assert len(served) == 2, f"only one replica served visitors: {served}"
    finally:
        for visitor in visitors:
            visitor.close()


def test_an_upload_and_its_event_reach_the_same_replica(balancer):
    """The file posted to /gradio_api/upload must be on the replica that then reads it."""
    visitor = PageVisitor(balancer.url)
    try:
        visitor.open_page()
        from mnist.predict import example_drawings
        drawing = visitor.upload(example_drawings()[0])
        label, message, _ = visitor.call("classify_digit", [{"background": None, "layers": [], "composite": drawing}])
        assert label and label["label"].isdigit(), message
        assert len(set(visitor.replicas)) == 1
    finally:
        visitor.close()
