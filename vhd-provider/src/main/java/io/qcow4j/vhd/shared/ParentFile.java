package io.qcow4j.vhd.shared;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.qcow4j.BackingChainException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.OpenContext;

/**
 * The parent of a differencing image, found among the names the image stores for it (Windows writes several: a
 * relative path, an absolute one, a volume path), each resolved and opened through the {@link OpenContext} only.
 *
 * @param reference the name that was used, as the context resolved it
 * @param image     the parent, or null where the options do not follow backing files
 */
public record ParentFile(FileReference reference, Image image) {

    /** Decides whether a candidate that exists is the parent the image was made from (its UUID, say). */
    @FunctionalInterface
    public interface Identity {
        /** @return null when it is, else why not, for the message */
        String mismatch(FileReference candidate, OpenContext context) throws IOException;
    }

    /**
     * Opens the first of {@code names} (in order of preference) whose file exists and passes {@code identity}; where
     * none does, the first name, so that the context says why it cannot be opened. Where the options do not follow
     * backing files, the chosen name is only shown to the policy.
     *
     * @param format the parent's format, or null to probe it
     */
    public static ParentFile open(Path image, List<String> names, String format, Identity identity,
                                  OpenOptions options, OpenContext context) throws IOException {
        if (names.isEmpty()) {
            throw new BackingChainException(image + ": a differencing image that names no parent file");
        }
        List<FileReference> candidates = new ArrayList<>();
        for (String name : unique(names)) {
            candidates.add(context.reference(image, name, FileReference.Role.BACKING));
        }
        FileReference chosen = null;
        List<String> refused = new ArrayList<>();
        for (FileReference candidate : candidates) {
            if (candidate.path() == null || !Files.exists(candidate.path())) {
                continue;
            }
            if (!options.followBacking()) {
                chosen = candidate;
                break;
            }
            String mismatch = identity.mismatch(candidate, context);
            if (mismatch == null) {
                chosen = candidate;
                break;
            }
            refused.add(candidate.name() + " (" + mismatch + ")");
        }
        if (chosen == null) {
            if (!refused.isEmpty()) {
                throw new BackingChainException(image + ": no parent file matches the image: " + refused);
            }
            chosen = candidates.get(0);
        }
        return new ParentFile(chosen, context.backing(chosen, format).image());
    }

    private static Set<String> unique(List<String> names) {
        Set<String> unique = new LinkedHashSet<>();
        for (String name : names) {
            if (name != null && !name.isEmpty()) {
                unique.add(name);
            }
        }
        return unique;
    }
}
