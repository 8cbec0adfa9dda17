"""Where a resident lives, for the guards of 群众评议 by the residents of the place."""

from __future__ import annotations

from govflow import Actor, OrgGraph
from govflow.authority import home_of, lives_in

COMMUNITY, AREA, OTHER = "c1", "c1-a1", "c2"


def _org() -> OrgGraph:
    org = OrgGraph()
    org.add_unit("s1", "street", "某街道")
    org.add_unit(COMMUNITY, "community", "某社区", parent="s1")
    org.add_unit(AREA, "residential_area", "某小区", parent=COMMUNITY)
    org.add_unit(OTHER, "community", "邻社区", parent="s1")
    org.add_person("wang", "王阿姨", home_unit=AREA)
    org.add_person("li", "李师傅")  # the graph does not know where he lives
    return org


def test_a_resident_lives_in_every_unit_above_their_home() -> None:
    org = _org()
    assert home_of(org, Actor("wang")) == AREA
    assert lives_in(org, Actor("wang"), AREA)
    assert lives_in(org, Actor("wang"), COMMUNITY)
    assert not lives_in(org, Actor("wang"), OTHER)


def test_a_home_nobody_knows_or_outside_the_graph_is_no_home() -> None:
    org = _org()
    assert home_of(org, Actor("li")) is None
    assert not lives_in(org, Actor("li"), COMMUNITY)
    assert home_of(org, Actor("stranger")) is None
    assert home_of(org, Actor("visitor", home_unit="nowhere")) is None
    assert not lives_in(org, Actor("visitor", home_unit="nowhere"), COMMUNITY)


def test_a_resident_the_graph_does_not_list_is_taken_at_their_word() -> None:
    # Most residents are not in the graph: the home they give is a claim that authorizes no post.
    assert lives_in(_org(), Actor("newcomer", home_unit=AREA), COMMUNITY)


def test_a_person_the_graph_lists_cannot_move_house_by_saying_so() -> None:
    org = _org()
    # 王阿姨 lives in the area: claiming the neighbouring community changes nothing.
    assert home_of(org, Actor("wang", home_unit=OTHER)) == AREA
    assert not lives_in(org, Actor("wang", home_unit=OTHER), OTHER)
    # 李师傅 is listed without a home: his record decides, so a claimed home is no home.
    assert home_of(org, Actor("li", home_unit=AREA)) is None
    assert not lives_in(org, Actor("li", home_unit=AREA), COMMUNITY)
