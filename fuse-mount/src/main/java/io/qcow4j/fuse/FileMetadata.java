package io.qcow4j.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/** Owner and times of the image file (not of a link to it), read once at mount: the raw file shows them. */
record FileMetadata(long uid, long gid, Instant accessed, Instant modified, Instant changed) {

    static FileMetadata of(Path imageFile) {
        if (imageFile != null) {
            try {
                // through a symbolic link to the image it names, as stat(1) of the image would
                Map<String, Object> unix = Files.readAttributes(imageFile, "unix:uid,gid,lastAccessTime,"
                        + "lastModifiedTime,ctime");
                return new FileMetadata(((Number) unix.get("uid")).longValue(), ((Number) unix.get("gid")).longValue(),
                        ((FileTime) unix.get("lastAccessTime")).toInstant(),
                        ((FileTime) unix.get("lastModifiedTime")).toInstant(),
                        ((FileTime) unix.get("ctime")).toInstant());
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                // an image without a file (or a file system without unix attributes) shows the mount's time instead
            }
        }
        Instant now = Instant.now();
        return new FileMetadata(ProcessIds.uid(), ProcessIds.gid(), now, now, now);
    }
}
