package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.MemoryImage;

/**
 * Cancelling while every worker is inside a read: the reads block on a latch until the test has cancelled, so the
 * test knows exactly which reads were in flight, and can check that none starts afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancellationTest {

    private static final int WORKERS = 4;

    @TempDir
    Path dir;

    private final CountDownLatch allReading = new CountDownLatch(WORKERS);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger reads = new AtomicInteger();

    /** 64 MiB of data whose reads wait for {@link #release}. */
    private MemoryImage blockingImage() {
        return MemoryImage.builder(64L << 20).data(0, 64L << 20).onRead((position, length) -> {
            reads.incrementAndGet();
            allReading.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("read interrupted");
            }
        }).build();
    }

    private static ConvertOptions options() {
        return ConvertOptions.builder().workers(WORKERS).segmentSize(1 << 20).bufferSize(1 << 20).build();
    }

    @Test
    void cancelHandleStopsEveryWorkerAndDeletesTheNewTarget() throws Exception {
        Path target = dir.resolve("out.raw");
        Conversion conversion = Converter.start(blockingImage(), target, options());
        assertThat(conversion.target()).isEqualTo(target);
        allReading.await();
        // written under a temporary name until complete: the target's name never holds a partial disk
        assertThat(target).doesNotExist();
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString()).toList()).singleElement().asString()
                    .startsWith(".out.raw.qcow4j-partial-");
        }

        conversion.cancel();
        release.countDown();

        assertThatThrownBy(conversion::await).isExactlyInstanceOf(ConversionCancelledException.class)
                .hasMessage("conversion cancelled");
        assertThat(conversion.isDone()).isTrue();
        assertThat(reads).as("no read starts after the cancel").hasValue(WORKERS);
        assertThat(target).doesNotExist();
        assertThat(Files.list(dir)).isEmpty();
    }

    @Test
    void interruptingTheWaitingThreadCancels() throws Exception {
        Path target = dir.resolve("out.raw");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        // Converter.convert is start(...).await(): the waiting thread here is the converting thread there
        Conversion conversion = Converter.start(blockingImage(), target, options());
        Thread waiting = new Thread(() -> {
            try {
                conversion.await();
            } catch (Throwable e) {
                thrown.set(e);
            }
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        waiting.start();
        allReading.await();

        waiting.interrupt();
        while (!conversion.stopping()) {
            // the interrupt reaches the waiting thread, which cancels; nothing to wait on but the flag itself
            Thread.onSpinWait();
        }
        release.countDown();
        waiting.join();

        assertThat(thrown.get()).isExactlyInstanceOf(ConversionCancelledException.class)
                .hasMessage("conversion cancelled");
        assertThat(interruptedAfter).as("interrupt status restored").isTrue();
        assertThat(reads).as("no read starts after the cancel").hasValue(WORKERS);
        assertThat(target).doesNotExist();
    }

    @Test
    void interruptedCallerOfConvertGetsCancelledAndNoTarget() {
        Path target = dir.resolve("out.raw");
        MemoryImage image = MemoryImage.builder(64L << 20).data(0, 64L << 20).build();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Converter.convert(image, target, options()))
                    .isExactlyInstanceOf(ConversionCancelledException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt status restored").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(target).doesNotExist();
    }

    @Test
    void cancelledExistingTargetIsKeptAndReportedIncomplete() throws Exception {
        Path target = dir.resolve("existing.raw");
        Files.write(target, new byte[(64 << 20) + 10]);
        Conversion conversion = Converter.start(blockingImage(), target,
                options().toBuilder().overwriteExisting(true).build());
        allReading.await();
        conversion.cancel();
        conversion.cancel();
        release.countDown();

        assertThatThrownBy(conversion::await).isExactlyInstanceOf(TargetIncompleteException.class)
                .hasMessage(target + " is incomplete: conversion cancelled")
                .hasCauseExactlyInstanceOf(ConversionCancelledException.class)
                .satisfies(e -> assertThat(((TargetIncompleteException) e).target()).isEqualTo(target));
        assertThat(target).exists();
        assertThat(Files.size(target)).isEqualTo((64 << 20) + 10);
    }

    @Test
    void completionStageReportsTheCancellation() throws Exception {
        Path target = dir.resolve("out.raw");
        Conversion conversion = Converter.start(blockingImage(), target, options());
        allReading.await();
        conversion.cancel();
        release.countDown();
        Throwable failure = conversion.completion().handle((result, e) -> e).toCompletableFuture().join();
        // dependent stages see the failure wrapped, as CompletableFuture always does
        assertThat(failure).isExactlyInstanceOf(CompletionException.class)
                .hasCauseExactlyInstanceOf(ConversionCancelledException.class);
        assertThat(target).doesNotExist();
    }

    @Test
    void cancellingAFinishedConversionChangesNothing() throws IOException {
        Path target = dir.resolve("small.raw");
        MemoryImage image = MemoryImage.builder(1 << 20).data(0, 1 << 20).build();
        Conversion conversion = Converter.start(image, target, ConvertOptions.defaults());
        ConvertResult result = conversion.await();
        conversion.cancel();
        assertThat(conversion.await()).isEqualTo(result);
        assertThat(Files.readAllBytes(target)).isEqualTo(image.contents());
    }
}
