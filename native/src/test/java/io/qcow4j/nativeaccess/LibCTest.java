package io.qcow4j.nativeaccess;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calls the converter and the mount make, as C makes them: results, errno and the bytes they move. */
class LibCTest {

    private static final int MIB = 1 << 20;
    private static final int EBADF = 9;
    /** struct stat's st_blocks, at the same place on x86_64 and arm64. */
    private static final int ST_BLOCKS = 64;

    @TempDir
    Path dir;

    private LibC libc;

    @BeforeEach
    void bindLibc() {
        libc = LibC.get();
        assertThat(libc).as("libc.so.6 binds through jffi on Linux: %s", LibC.failure()).isNotNull();
        assertThat(LibC.failure()).isNull();
    }

    @Test
    void fallocatePunchesAHoleThatReadsAsZerosAndFreesTheBlocks() throws Exception {
        byte[] ones = new byte[2 * MIB];
        Arrays.fill(ones, (byte) 1);
        Path file = Files.write(dir.resolve("full.img"), ones);
        long before = blocks(file);
        int fd = libc.open(file.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC);
        assertThat(fd).isNotNegative();
        try {
            assertThat(libc.fallocate(fd, LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, MIB, MIB))
                    .as("fallocate: %s", libc.strerror(NativeLibrary.errno())).isZero();
            assertThat(libc.lseek(fd, 0, LibC.SEEK_END)).isEqualTo(2 * MIB);
        } finally {
            assertThat(libc.close(fd)).isZero();
        }
        byte[] after = Files.readAllBytes(file);
        assertThat(Arrays.copyOf(after, MIB)).isEqualTo(Arrays.copyOf(ones, MIB));
        assertThat(Arrays.copyOfRange(after, MIB, 2 * MIB)).isEqualTo(new byte[MIB]);
        assertThat(blocks(file)).isLessThan(before);
    }

    @Test
    void aFailedCallLeavesItsErrnoAndStrerrorSaysIt() {
        assertThat(libc.fallocate(-1, LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, 0, 4096)).isEqualTo(-1);
        assertThat(NativeLibrary.errno()).isEqualTo(EBADF);
        assertThat(libc.write(-1, 0, 0)).isEqualTo(-1);
        assertThat(NativeLibrary.errno()).isEqualTo(EBADF);
        assertThat(libc.strerror(LibC.ENOENT)).isEqualTo("No such file or directory");
        assertThat(libc.strerror(LibC.EBUSY)).isEqualTo("Device or resource busy");
    }

    @Test
    void writeAndWritevSendTheBytesAtTheAddressesGiven() throws Exception {
        Path file = Files.createFile(dir.resolve("written"));
        ByteBuffer hello = direct("hello, ");
        ByteBuffer world = direct("world");
        ByteBuffer bang = direct("!");
        // struct iovec on LP64: void *iov_base; size_t iov_len
        ByteBuffer iovecs = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder())
                .putLong(0, NativeLibrary.address(world)).putLong(8, world.capacity())
                .putLong(16, NativeLibrary.address(bang)).putLong(24, bang.capacity());
        int fd = libc.open(file.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC);
        try {
            assertThat(libc.write(fd, NativeLibrary.address(hello), hello.capacity())).isEqualTo(7);
            assertThat(libc.writev(fd, NativeLibrary.address(iovecs), 2)).isEqualTo(6);
        } finally {
            libc.close(fd);
        }
        assertThat(Files.readString(file)).isEqualTo("hello, world!");
    }

    @Test
    void madviseTakesAdviceOnPagesAndRefusesAnUnalignedAddress() {
        ByteBuffer pages = ByteBuffer.allocateDirect(3 * 4096).alignedSlice(4096);
        long address = NativeLibrary.address(pages);
        // MADV_NORMAL, which every kernel takes
        assertThat(libc.madvise(address, 4096, 0)).isZero();
        assertThat(libc.madvise(address + 1, 4096, 0)).isEqualTo(-1);
    }

    @Test
    void umount2OfADirectoryThatIsNoMountPointFails() throws Exception {
        Path plain = Files.createDirectory(dir.resolve("not-mounted"));
        assertThat(libc.umount2(plain.toString(), 0)).isEqualTo(-1);
        // EINVAL for root (not a mount point), EPERM for anyone else
        assertThat(NativeLibrary.errno()).isIn(LibC.EINVAL, LibC.EPERM);
        assertThat(libc.umount2(dir.resolve("absent").toString(), LibC.MNT_DETACH)).isEqualTo(-1);
        assertThat(NativeLibrary.errno()).isIn(LibC.ENOENT, LibC.EPERM);
    }

    private long blocks(Path file) {
        ByteBuffer stat = ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder());
        assertThat(libc.stat(file.toString(), stat)).isZero();
        return stat.getLong(ST_BLOCKS);
    }

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }
}
