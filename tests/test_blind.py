"""``python -m checks.blind``: the comment detector's bars per blind file and pooled, with the
threat recall's Wilson interval, and an exit status that says whether every bar holds."""

from __future__ import annotations

import json

import pytest

from checks import blind
from checks.detectors import comment
from tests.blind_scores import (
    comment_metrics,
    replay_comment,
    replay_teacher_content,
    teacher_content_labels,
)


@pytest.fixture
def comment_scored(tmp_path_factory, monkeypatch):
    """The command reads the session's scores of test6 and test7 (scored once, by the real
    detector) instead of scoring them in each test."""
    replay_comment(monkeypatch, comment_metrics(tmp_path_factory, ("test6", "test7")))


@pytest.fixture
def teacher_content_scored(tmp_path_factory, monkeypatch):
    replay_teacher_content(monkeypatch,
                           teacher_content_labels(tmp_path_factory, ("test5", "test7")))


@pytest.mark.parametrize(("found", "total"), [(52, 61), (481, 534), (0, 10), (10, 10), (1, 2)])
def test_wilson_matches_scipy(found, total):
    from scipy.stats import binomtest

    ci = binomtest(found, total).proportion_ci(method="wilson")
    low, high = blind.wilson(found, total)
    assert low == pytest.approx(ci.low, abs=1e-9) and high == pytest.approx(ci.high, abs=1e-9)


def test_wilson_of_nothing_says_nothing():
    assert blind.wilson(0, 0) == (0.0, 1.0)


def test_a_line_counts_what_the_metrics_measured():
    m = comment.metrics(["threat_violence", "none", "spam_advertising", "none", "off_topic"],
                        ["threat_violence", "threat_violence", "spam_advertising", "none",
                         "none"],
                        [False, False, False, True, True])
    x = blind.line("made-up", m)
    assert (x.comments, x.threats, x.threats_found) == (5, 2, 1)
    assert (x.removable, x.removable_found) == (3, 2)
    assert (x.protected, x.protected_flagged) == (2, 1)
    assert not x.bars_met and x.threat_recall == 0.5


def test_pooled_lines_sum_the_files_by_length():
    def made(name: str, threats_found: int) -> blind.Line:
        return blind.Line(name, 100, 50, threats_found, 60, 58, 40, 1)

    assert blind.summary({}) == []  # no file, no pool
    files = [made("test", 48), made("test7", 44), made("test8", 46)]
    short, longer, everything = (blind.pooled("short", files[1:]),
                                 blind.pooled("longer", files[:1]), blind.pooled("all", files))
    assert (short.threats_found, short.threats) == (90, 100)
    assert (longer.threats_found, everything.threats_found) == (48, 138)
    assert short.bars_met and not files[1].bars_met  # 0.88 on one file, 0.90 pooled


def test_the_command_reports_each_file_and_fails_when_a_bar_does(capsys, comment_scored):
    assert blind.main(["--split", "test6", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["version"] == comment.detector().version
    names = [x["name"] for x in report["lines"]]
    assert names == ["test6", "short", "all"]  # no longer file asked for, no such pool
    test6 = report["lines"][0]
    assert (test6["threats"], test6["comments"], test6["protected"]) == (54, 332, 73)
    assert test6["bars_met"] and test6["threat_recall_95"][0] < test6["threat_recall"]
    # test7 misses the threat bar (a strict xfail in test_detector_comment.py)
    assert blind.main(["--split", "test7"]) == 1
    table = capsys.readouterr().out
    assert "test7" in table and "not met" in table


def test_a_file_that_is_no_blind_file_is_refused(capsys):
    with pytest.raises(SystemExit):
        blind.main(["--split", "test5"])  # retired into training
    assert "comment has no blind file test5" in capsys.readouterr().err


def made_line(name: str, threats_found: int, threats: int, flagged: int = 1,
              protected: int = 80) -> blind.Line:
    return blind.Line(name, 400, threats, threats_found, 200, 190, protected, flagged)


def test_the_spread_statistic_is_the_chi_squared_of_one_common_rate():
    from scipy.stats import chi2_contingency

    files = [made_line("test6", 50, 54), made_line("test7", 52, 61), made_line("test8", 57, 68)]
    x = blind.spread(files, "short", "threat recall")
    table = [[f.threats_found, f.threats - f.threats_found] for f in files]
    assert x.chi2 == pytest.approx(chi2_contingency(table, correction=False)[0])
    assert (x.found, x.total, x.files) == (159, 183, 3)
    assert x.furthest == "test8" and x.furthest_count == "57/68"  # the lowest recall


def test_files_alike_do_not_differ_and_an_outlier_does():
    alike = [made_line(f"test{i}", 63, 70) for i in range(6, 12)]
    same = blind.spread(alike, "short", "threat recall")
    assert same.chi2 == pytest.approx(0.0) and same.p == 1.0
    flagged = [made_line(f"test{i}", 63, 70, flagged=2) for i in range(6, 14)]
    flagged.append(made_line("test14", 63, 70, flagged=12))
    outlier = blind.spread(flagged, "all", "protected given a ground")
    assert outlier.p < 0.01 and outlier.furthest == "test14" and outlier.furthest_count == "12/80"
    assert outlier.furthest_p < outlier.furthest_p_any < 0.05
    # their threats found are all alike: that side does not differ
    assert blind.spread(flagged, "all", "threat recall").p == 1.0


def test_no_spread_of_one_file_or_of_a_rate_nothing_can_differ_from():
    assert blind.spread([made_line("test6", 50, 54)], "short", "threat recall") is None
    perfect = [made_line("test6", 54, 54), made_line("test7", 61, 61)]
    assert blind.spread(perfect, "short", "threat recall") is None
    none_flagged = [made_line("test6", 50, 54, flagged=0), made_line("test7", 50, 61, flagged=0)]
    assert blind.spread(none_flagged, "all", "protected given a ground") is None


def test_the_spread_is_reproducible_and_reported_by_the_command(capsys, comment_scored):
    files = [made_line("test6", 50, 54), made_line("test7", 52, 61), made_line("test8", 57, 68)]
    assert blind.spread(files, "short", "threat recall") == blind.spread(files, "short",
                                                                         "threat recall")
    assert blind.main(["--split", "test6", "--split", "test7", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (threats, protected) = report["spread"]
    assert threats["measure"] == "threat recall" and threats["files"] == 2
    assert threats["furthest"] == "test7" and 0 < threats["p"] <= 1
    assert protected["pool"] == "all" and protected["furthest_count"] == "4/75"


# --------------------------------------------------------------------------------------------
# teacher-content (checks.blind_teacher_content)
# --------------------------------------------------------------------------------------------

def test_a_teacher_content_line_counts_what_was_labelled_and_flagged():
    from checks import blind_teacher_content as tc

    x = tc.line("made-up", ["non_school", "non_school", "school", "school", "non_school"],
                ["non_school", "school", "non_school", "school", "non_school"])
    assert (x.posts, x.non_school, x.flagged, x.flagged_right, x.errors) == (5, 3, 3, 2, 2)
    assert x.precision == x.recall == pytest.approx(2 / 3) and x.f1 == pytest.approx(2 / 3)
    assert not x.bar_met
    with pytest.raises(ValueError, match="2 labels but 1 verdicts"):
        tc.line("short", ["school", "school"], ["school"])


def test_teacher_content_pools_sum_the_counts_and_leave_the_first_file_out_of_everyday():
    from checks import blind_teacher_content as tc

    lines = tc.summary({
        "test": (["non_school"] * 10 + ["school"] * 10, ["non_school"] * 10 + ["school"] * 10),
        "test2": (["non_school"] * 10 + ["school"] * 10, ["school"] * 10 + ["school"] * 10),
        "test3": (["non_school"] * 10 + ["school"] * 10, ["non_school"] * 20)})
    by_name = {x.name: x for x in lines}
    assert [x.name for x in lines] == ["test", "test2", "test3", "everyday", "all"]
    everyday = by_name["everyday"]
    assert (everyday.posts, everyday.non_school, everyday.flagged, everyday.errors) == (40, 20,
                                                                                         20, 20)
    # from the summed counts: test2's F1 is 0 (nothing flagged), test3's 2/3, pooled 0.5
    assert by_name["test2"].f1 == 0 and by_name["test3"].f1 == pytest.approx(2 / 3)
    assert everyday.f1 == pytest.approx(0.5) and by_name["all"].errors == 20
    assert by_name["test"].bar_met and not everyday.bar_met


def test_teacher_content_spread_looks_at_the_everyday_files_error_rates():
    from checks import blind_teacher_content as tc

    def made(name: str, errors: int) -> tc.Line:
        return tc.Line(name, 300, 140, 140, 130, errors)

    alike = tc.spreads([made("test", 90), made("test2", 25), made("test3", 26), made("test4", 24)])
    assert len(alike) == 1 and alike[0].files == 3 and alike[0].p > 0.5  # "test" left out
    apart = tc.spreads([made("test2", 10), made("test3", 25), made("test4", 60)])[0]
    assert apart.p < 0.001 and apart.furthest == "test4"  # the file with more errors is worse
    assert tc.spreads([made("test2", 10)]) == []


def test_the_command_reports_teacher_content_files_and_fails_where_the_bar_does(
        capsys, teacher_content_scored):
    """Version 5: test5 0.899 (under the bar, 30 errors), test7 0.924 (23), as the tests of
    test_detectors_text_a.py hold them."""
    from checks.detectors import teacher_content

    argv = ["--detector", "teacher-content", "--split", "test5", "--split", "test7", "--json"]
    assert blind.main(argv) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["version"] == teacher_content.detector().version
    lines = {x["name"]: x for x in report["lines"]}
    assert list(lines) == ["test5", "test7", "everyday", "all"]
    assert (lines["test5"]["posts"], lines["test5"]["errors"]) == (332, 30)
    assert lines["test5"]["f1"] == pytest.approx(0.8986, abs=0.0005)
    assert not lines["test5"]["bar_met"] and lines["test7"]["bar_met"]
    assert lines["everyday"]["errors"] == 30 + lines["test7"]["errors"]
    assert report["spread"][0]["furthest"] == "test5"
    with pytest.raises(SystemExit):
        blind.main(["--detector", "teacher-content", "--split", "test19"])
    assert "teacher-content has no blind file test19" in capsys.readouterr().err
