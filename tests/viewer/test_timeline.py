"""The traces timeline: folding events, the branch table and the stop reason."""

from __future__ import annotations

from autotts.viewer.timeline import digest, question_html, stop_reason

EVENTS = [["open", 0, "1", False], ["open", 1, "2", False], ["open", 2, None, False],
          ["step", 0, "1", False], ["step", 1, "2", True], ["prune", 2],
          ["note", "two agree"], ["step", 0, "1", True]]


def test_digest_folds_runs_and_tracks_branches():
    q = digest(EVENTS)
    assert [(a, b, k) for a, b, k, _ in q.runs] == [(1, 3, "open"), (4, 5, "step"),
                                                    (6, 6, "prune"), (8, 8, "step")]
    assert q.notes == [(7, "two agree")]
    b0, b1, b2 = q.branches[0], q.branches[1], q.branches[2]
    assert (b0.opened_at, b0.steps, b0.answer, b0.finished) == (1, 3, "1", True)
    assert (b1.steps, b1.finished, b1.pruned_at) == (2, True, None)
    assert (b2.steps, b2.pruned_at) == (1, 6)


def test_stop_reason_says_what_was_left_running():
    row = {"answer": "1", "events": EVENTS}
    assert stop_reason(digest(EVENTS), row).startswith("every opened branch had finished (2) "
                                                       "or been pruned (1)")
    early = EVENTS[:5]
    assert stop_reason(digest(early), {"answer": "2", "events": early}) == (
        "the controller stopped with 2 branch(es) still running (1 finished, 0 pruned) and "
        "answered '2'")
    assert "cut after 8 events" in stop_reason(digest(EVENTS), {**row, "truncated": True})


def test_question_html_lists_the_timeline_in_order():
    html = question_html({"question": 3, "seed": 0, "opened": 3, "cost": 1500.0, "answer": "1",
                          "events": EVENTS})
    assert "question 3 (seed 0): 3 branches opened, 1 pruned, 1.5k tokens, answer &#x27;1&#x27;" \
        in html
    order = ["events 1-3: opened b0-b2", "events 4-5: stepped b0-b1", "event 6: pruned b2",
             "event 7: note two agree", "event 8: stepped b0"]
    positions = [html.index(x) for x in order]
    assert positions == sorted(positions)
