package io.jmlx.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.io.StagingDirectory.Leftover;
import io.jmlx.io.StagingDirectory.Leftover.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staging directory's protocol, and the recovery from every state a killed writer can leave: before its owner
 * record is complete, while it writes, and between the two renames of a replacement. A killed writer is simulated
 * by giving a real staging directory the owner record of a process that has exited.
 */
class StagingDirectoryTest {
    @TempDir
    Path dir;

    /** A process that ran and exited: its id and start time, as a killed writer's record holds them. */
    static long deadPid;

    static String deadStart;

    @BeforeAll
    static void startAndEndAProcess() throws Exception {
        Process p = new ProcessBuilder("cat").start(); // runs until its input closes
        deadPid = p.pid();
        deadStart = p.toHandle().info().startInstant().orElseThrow().toString();
        p.getOutputStream().close();
        assertEquals(0, p.waitFor());
        assertFalse(p.toHandle().isAlive());
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A staging directory with {@code content} written, whose owner record then names {@code pid}/{@code start}. */
    private Path leaveBehind(Path destination, String content, long pid, String start) throws IOException {
        StagingDirectory staging = StagingDirectory.create(destination);
        Files.writeString(staging.content(), content);
        Path owner = staging.directory().resolve(StagingDirectory.OWNER_FILE);
        List<String> lines = Files.readAllLines(owner);
        Files.write(owner, List.of(lines.get(0), "pid=" + pid, "started=" + start, lines.get(3)));
        return staging.directory();
    }

    private Path leaveBehindDead(Path destination, String content) throws IOException {
        return leaveBehind(destination, content, deadPid, deadStart);
    }

    @Test
    void aCommittedFileReplacesTheDestinationAndLeavesNothingElse() throws IOException {
        Path out = dir.resolve("out.txt");
        Files.writeString(out, "old");
        try (StagingDirectory staging = StagingDirectory.create(out)) {
            Files.writeString(staging.content(), "new");
            assertEquals(2, listing().size(), "the staging directory beside the output: " + listing());
            assertTrue(
                    listing().getFirst().matches("\\.out\\.txt\\.[0-9a-f]{12}\\.tmp"),
                    listing().toString());
            staging.commit();
            assertThrows(IllegalStateException.class, staging::commit);
        }
        assertEquals(List.of("out.txt"), listing());
        assertEquals("new", Files.readString(out));
    }

    @Test
    void aCommittedDirectoryReplacesADirectory() throws IOException {
        Path out = dir.resolve("model");
        Files.createDirectory(out);
        Files.writeString(out.resolve("a"), "old");
        try (StagingDirectory staging = StagingDirectory.create(out)) {
            Files.createDirectory(staging.content());
            Files.writeString(staging.content().resolve("b"), "new");
            staging.commit();
        }
        assertEquals(List.of("model"), listing());
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(out.resolve("b")), s.toList());
        }
    }

    @Test
    void closingWithoutACommitLeavesTheDestinationAsItWas() throws IOException {
        Path out = dir.resolve("out.txt");
        Files.writeString(out, "old");
        try (StagingDirectory staging = StagingDirectory.create(out)) {
            Files.writeString(staging.content(), "half");
        }
        assertEquals(List.of("out.txt"), listing());
        assertEquals("old", Files.readString(out));
    }

    @Test
    void aDeadWritersDirectoryIsRemovedAndReported() throws IOException {
        Path out = dir.resolve("out.txt");
        Path left = leaveBehindDead(out, "0123456789");
        Files.writeString(dir.resolve("unrelated.tmp"), "x");
        Files.createDirectory(dir.resolve(".out.txt.backup"));

        List<Leftover> found = StagingDirectory.removeLeftovers(out);

        assertEquals(1, found.size(), found.toString());
        Leftover l = found.getFirst();
        assertEquals(left, l.path());
        assertEquals(Outcome.REMOVED, l.outcome());
        assertTrue(l.bytes() >= 10, "counts the content: " + l);
        assertTrue(l.message().startsWith("removed " + left.getFileName()), l.message());
        assertTrue(l.message().contains("process " + deadPid), l.message());
        assertEquals(List.of(".out.txt.backup", "unrelated.tmp"), listing(), "nothing else is touched");
        assertEquals(List.of(), StagingDirectory.removeLeftovers(out));
    }

    @Test
    void aLiveWritersDirectoryIsKept() throws IOException {
        Path out = dir.resolve("out.txt");
        try (StagingDirectory staging = StagingDirectory.create(out)) {
            Files.writeString(staging.content(), "writing");
            List<Leftover> found = StagingDirectory.removeLeftovers(out);
            assertEquals(1, found.size());
            assertEquals(Outcome.KEPT, found.getFirst().outcome());
            assertTrue(
                    found.getFirst().message().contains("still writing"),
                    found.getFirst().message());
            assertTrue(Files.exists(staging.content()));
            staging.commit();
        }
        assertEquals("writing", Files.readString(out));
    }

    @Test
    void aProcessIdTakenByAnotherProcessDoesNotKeepADirectory() throws IOException {
        Path out = dir.resolve("out.txt");
        Instant otherStart =
                ProcessHandle.current().info().startInstant().orElseThrow().minusSeconds(3600);
        leaveBehind(out, "x", ProcessHandle.current().pid(), otherStart.toString());
        List<Leftover> found = StagingDirectory.removeLeftovers(out);
        assertEquals(Outcome.REMOVED, found.getFirst().outcome(), found.toString());
        assertEquals(List.of(), listing());
    }

    @Test
    void aWriterKilledBetweenTheRenamesOfAReplacementGetsThePreviousOutputBack() throws IOException {
        Path out = dir.resolve("model");
        Files.createDirectory(out);
        Files.writeString(out.resolve("config.json"), "previous");
        Path left = leaveBehindDead(out, "new");
        Files.move(out, left.resolve("old")); // the first rename of a replacement, then the kill

        List<Leftover> found = StagingDirectory.removeLeftovers(out);

        assertEquals(Outcome.RESTORED, found.getFirst().outcome(), found.toString());
        assertTrue(found.getFirst().message().startsWith("moved the previous output back"));
        assertEquals(List.of("model"), listing());
        assertEquals("previous", Files.readString(out.resolve("config.json")));
    }

    @Test
    void aWriterKilledAfterBothRenamesLeavesTheNewOutput() throws IOException {
        Path out = dir.resolve("out.txt");
        Files.writeString(out, "new");
        Path left = leaveBehindDead(out, "unused");
        Files.delete(left.resolve("new"));
        Files.writeString(left.resolve("old"), "previous");

        assertEquals(
                Outcome.REMOVED,
                StagingDirectory.removeLeftovers(out).getFirst().outcome());
        assertEquals(List.of("out.txt"), listing());
        assertEquals("new", Files.readString(out));
    }

    @Test
    void whatIsNotProvablyJmlxsIsKept() throws IOException {
        Path out = dir.resolve("out.txt");
        Path foreign = dir.resolve(".out.txt.0123456789ab.tmp");
        Files.createDirectory(foreign);
        Files.writeString(foreign.resolve("data"), "someone's");
        Path file = dir.resolve(".out.txt.ba9876543210.tmp");
        Files.writeString(file, "an older jmlx's temporary file");

        List<Leftover> found = StagingDirectory.removeLeftovers(out);

        assertEquals(2, found.size());
        found.forEach(l -> assertEquals(Outcome.KEPT, l.outcome(), l.message()));
        assertTrue(
                found.get(0).message().contains("no jmlx owner record"),
                found.get(0).message());
        assertTrue(
                found.get(1).message().contains("not a directory"), found.get(1).message());
        assertTrue(Files.exists(foreign.resolve("data")));
        assertTrue(Files.exists(file));
    }

    @Test
    void aDirectoryLeftBeforeItsOwnerRecordWasCompleteIsRemoved() throws IOException {
        Path out = dir.resolve("out.txt");
        Path empty = dir.resolve(".out.txt.000000000000.tmp");
        Files.createDirectory(empty);
        Path partial = dir.resolve(".out.txt.111111111111.tmp");
        Files.createDirectory(partial);
        Path record = partial.resolve(StagingDirectory.OWNER_FILE);
        Files.writeString(record, "jmlx staging dir", StandardCharsets.UTF_8);
        Path fresh = dir.resolve(".out.txt.222222222222.tmp");
        Files.createDirectory(fresh);
        Files.writeString(fresh.resolve(StagingDirectory.OWNER_FILE), "jmlx stag", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(record, FileTime.from(Instant.now().minusSeconds(600)));

        List<Leftover> found = StagingDirectory.removeLeftovers(out);

        assertEquals(
                List.of(Outcome.REMOVED, Outcome.REMOVED, Outcome.KEPT),
                found.stream().map(Leftover::outcome).toList(),
                found.toString());
        assertEquals(List.of(fresh.getFileName().toString()), listing(), "a record being written is left alone");
    }

    @Test
    void aRecordForAnotherDestinationWithTheSameLongPrefixIsIgnored() throws IOException {
        String prefix = "m".repeat(100);
        Path mine = dir.resolve(prefix + "-mine");
        Path theirs = dir.resolve(prefix + "-theirs");
        leaveBehindDead(theirs, "theirs");
        assertEquals(List.of(), StagingDirectory.removeLeftovers(mine));
        assertEquals(1, StagingDirectory.removeLeftovers(theirs).size());
        assertEquals(List.of(), listing());
    }
}
