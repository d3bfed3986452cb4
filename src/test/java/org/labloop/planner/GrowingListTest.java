package org.labloop.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.labloop.space.Bound;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.Direction;
import org.labloop.space.Objective;
import org.labloop.space.Observation;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

class GrowingListTest {
    @Test
    void aView_keepsWhatItSaw_whileTheListGrowsPastItsCapacity() {
        GrowingList<Integer> list = new GrowingList<>();
        List<Integer> plain = new ArrayList<>();
        List<List<Integer>> views = new ArrayList<>();
        List<List<Integer>> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            List<Integer> more = List.of(-i, -i - 1);
            views.add(list.view(more));
            List<Integer> e = new ArrayList<>(plain);
            e.addAll(more);
            expected.add(e);
            list.add(i);
            plain.add(i);
        }
        assertThat(views).isEqualTo(expected);
        assertThat(list.view(List.of())).containsExactlyElementsOf(plain);
    }

    @Test
    void aView_isUnmodifiable_andAPlanningRequestKeepsItUncopied() {
        GrowingList<Integer> list = new GrowingList<>();
        list.add(1);
        List<Integer> view = list.view(List.of(2));
        assertThatThrownBy(() -> view.add(3)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.set(0, 3)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.add(null)).isInstanceOf(NullPointerException.class);

        GrowingList<Observation> observed = new GrowingList<>();
        observed.add(Observation.of(new Point(Map.of("x", 0.5)), Map.of("y", 1.0)));
        List<Observation> observations = observed.view(List.of());
        PlanningRequest request = new PlanningRequest(
                new SearchSpace(List.of(new ContinuousParameter("x", new Bound(0, 1), ""))),
                List.of(new Objective("y", Direction.MAXIMISE)),
                observations,
                List.of(),
                1,
                Optional.empty(),
                new SplittableRandom(1),
                1);
        assertThat(request.observations()).isSameAs(observations);
    }
}
