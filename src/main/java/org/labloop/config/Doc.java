package org.labloop.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.labloop.core.Problem;

/** One input file being read: its display name and the problems found in it so far. */
final class Doc {
    private final String source;
    private final List<Problem> problems = new ArrayList<>();
    private final List<Problem> unworkable = new ArrayList<>();
    /** Where sections that are checked later (planner, emulator, drivers) were written, by name. */
    private final java.util.Map<String, Node.Loc> places = new java.util.LinkedHashMap<>();

    Doc(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    void error(Node.Loc at, String message, String hint) {
        problems.add(new Problem(source, at.line(), at.column(), message, hint));
    }

    /**
     * A file that reads but cannot work as written (every attempt would time out, a reading would be lost): refused
     * when a campaign is created, but not when a stored campaign is read again, so campaigns stored before the check
     * existed stay readable and exportable.
     */
    void unworkable(Node.Loc at, String message, String hint) {
        unworkable.add(new Problem(source, at.line(), at.column(), message, hint));
    }

    /** The problems that only make the campaign unworkable, in file order. */
    List<Problem> unworkable() {
        List<Problem> sorted = new ArrayList<>(unworkable);
        sorted.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
        return sorted;
    }

    /** A problem with the file as a whole (it does not exist, cannot be read): no position. */
    void fileError(String message, String hint) {
        problems.add(Problem.at(source, message, hint));
    }

    void place(String name, Node.Loc at) {
        places.put(name, at);
    }

    /** The places noted, as problems-to-be positions in this file. */
    java.util.Map<String, LoadedCampaign.Place> places() {
        java.util.Map<String, LoadedCampaign.Place> out = new java.util.LinkedHashMap<>();
        places.forEach((k, at) -> out.put(k, new LoadedCampaign.Place(source, at.line(), at.column())));
        return out;
    }

    boolean hasErrors() {
        return !problems.isEmpty();
    }

    int errorCount() {
        return problems.size();
    }

    /** Every problem in file order. */
    List<Problem> problems() {
        return problems(true);
    }

    /** The problems in file order, with those that only make the campaign unworkable when {@code unworkableToo}. */
    List<Problem> problems(boolean unworkableToo) {
        List<Problem> sorted = new ArrayList<>(problems);
        if (unworkableToo) {
            sorted.addAll(unworkable);
        }
        sorted.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
        return sorted;
    }
}
