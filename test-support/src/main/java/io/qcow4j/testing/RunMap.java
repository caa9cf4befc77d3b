package io.qcow4j.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.qcow4j.Allocation;

/** The runs a {@link MemoryImage.Builder} has been given, by start: a run given later wins where runs overlap. */
final class RunMap {

    private final TreeMap<Long, Run> byStart = new TreeMap<>();

    /** Adds {@code run}, cutting the runs it overlaps down to their parts outside it. */
    void put(Run run) {
        Long first = byStart.floorKey(run.start());
        NavigableMap<Long, Run> touched = byStart.subMap(first == null ? run.start() : first, true, run.end(), false);
        List<Run> kept = new ArrayList<>();
        for (Run old : List.copyOf(touched.values())) {
            if (old.end() <= run.start()) {
                continue;
            }
            byStart.remove(old.start());
            if (old.start() < run.start()) {
                kept.add(old.until(run.start()));
            }
            if (old.end() > run.end()) {
                kept.add(old.from(run.end()));
            }
        }
        kept.forEach(part -> byStart.put(part.start(), part));
        byStart.put(run.start(), run);
    }

    /** Puts {@code run} in place of the run that starts where it does and ends where it does. */
    void replace(Run run) {
        byStart.put(run.start(), run);
    }

    /** The runs, with unallocated runs in the gaps: every offset of a {@code size}-byte disk is in exactly one. */
    NavigableMap<Long, Run> covering(long size) {
        TreeMap<Long, Run> covering = new TreeMap<>();
        long at = 0;
        for (Run run : byStart.values()) {
            if (run.start() > at) {
                covering.put(at, Run.empty(at, run.start(), Allocation.UNALLOCATED));
            }
            covering.put(run.start(), run);
            at = run.end();
        }
        if (at < size) {
            covering.put(at, Run.empty(at, size, Allocation.UNALLOCATED));
        }
        return covering;
    }
}
