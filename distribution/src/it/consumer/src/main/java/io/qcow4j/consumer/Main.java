package io.qcow4j.consumer;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.Images;
import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.Converter;
import io.qcow4j.spi.ImageFormatProvider;

/**
 * Opens the sample, reads its first bytes, converts it to raw and checks the result against qemu-img's.
 *
 * <p>Usage: {@code Main SAMPLE TARGET EXPECTED_SHA256 EXPECTED_MODULE}; exit status 1 on any wrong answer.
 */
public final class Main {

    public static void main(String[] args) throws Exception {
        Path sample = Path.of(args[0]);
        Path target = Path.of(args[1]);
        String module = String.valueOf(Main.class.getModule().getName()).replace("null", "unnamed");
        List<String> providers = ImageFormats.defaults().providers().stream().map(ImageFormatProvider::name).toList();
        System.out.println("module " + module + ", providers " + providers);
        check(module.equals(args[3]), "running in module " + module + ", not " + args[3]);
        check(providers.equals(List.of("qcow2", "raw")), "providers " + providers);
        try (Image image = Images.open(sample)) {
            ByteBuffer banner = ByteBuffer.allocate(18);
            image.readFully(banner, 0);
            String text = new String(banner.array(), StandardCharsets.US_ASCII);
            System.out.println(image.format() + ", " + image.size() + " bytes: " + text);
            check(image.format().equals("qcow2") && image.size() == 64L << 20 && text.equals("qcow4j sample disk"),
                    "read the sample wrong");
            Converter.convert(image, target, ConvertOptions.defaults());
        }
        String digest = sha256(target);
        System.out.println("converted to " + target + ", SHA-256 " + digest);
        check(digest.equals(args[2]), "the raw file differs from qemu-img's (SHA-256 " + args[2] + ")");
    }

    private static void check(boolean right, String wrong) {
        if (!right) {
            System.err.println("consumer: " + wrong);
            System.exit(1);
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
