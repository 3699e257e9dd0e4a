package io.jmlx.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The hidden directory beside an output in which a writer builds it, so that the output appears complete or not
 * at all: {@code .<name>.<12 hex digits>.tmp}, holding an owner record ({@value #OWNER_FILE}: the writing process's
 * id and start time, and the destination) and the output under construction ({@link #content()}).
 * {@link #commit()} renames the output into place (an existing destination is first moved into the staging
 * directory, then deleted); {@link #close()} without a commit, or the JVM shutting down, deletes the staging
 * directory.
 *
 * <p>A writer killed outright (SIGKILL, a power cut) cannot clean up: it leaves its staging directory behind.
 * {@link #removeLeftovers(Path)} finds those of a destination and removes the ones that are provably a dead jmlx
 * writer's: an owner record naming this destination and a process that is no longer running (its id is free, or
 * taken by a process that started at another time). One killed between the two renames of a replacement gets the
 * previous output moved back, as if it had never run. Every writer of jmlx calls it before it starts; the
 * {@code jmlx} commands report what it did.
 *
 * <pre>{@code
 * try (StagingDirectory staging = StagingDirectory.create(out)) {
 *     Files.writeString(staging.content(), text);
 *     staging.commit();
 * }
 * }</pre>
 */
public final class StagingDirectory implements AutoCloseable {
    /** The owner record inside every staging directory. */
    static final String OWNER_FILE = ".jmlx-owner";

    private static final String NEW = "new";
    private static final String OLD = "old";
    private static final String RECORD_TITLE = "jmlx staging directory";
    private static final int HEX_DIGITS = 12;

    private enum State {
        OPEN,
        COMMITTED,
        DISCARDED
    }

    private final Path destination;
    private final Path dir;
    private final Thread shutdownHook;
    private State state = State.OPEN;

    private StagingDirectory(Path destination, Path dir) {
        this.destination = destination;
        this.dir = dir;
        this.shutdownHook = new Thread(this::discard, "jmlx-staging-cleanup");
    }

    /**
     * Creates a staging directory for {@code destination} in its folder (which must exist), with its owner record
     * on disk.
     *
     * @throws IOException if the folder does not exist or cannot be written
     */
    public static StagingDirectory create(Path destination) throws IOException {
        Path target = absolute(destination);
        for (int attempt = 0; ; attempt++) {
            Path dir = target.getParent().resolve(hiddenName(target));
            try {
                Files.createDirectory(dir);
                writeOwnerRecord(dir.resolve(OWNER_FILE), target);
            } catch (FileAlreadyExistsException | NoSuchFileException raced) {
                // The name is taken, or a cleaner removed the directory while it was still empty: try another one.
                if (attempt >= 20 || !Files.isDirectory(target.getParent())) {
                    throw raced;
                }
                continue;
            }
            StagingDirectory staging = new StagingDirectory(target, dir);
            try {
                Runtime.getRuntime().addShutdownHook(staging.shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                deleteStaging(dir);
                throw shuttingDown;
            }
            return staging;
        }
    }

    /** The absolute destination. */
    public Path destination() {
        return destination;
    }

    /** The staging directory itself. */
    public Path directory() {
        return dir;
    }

    /** Where to build the output: a file or directory that the caller creates and fills. */
    public Path content() {
        return dir.resolve(NEW);
    }

    /**
     * Renames {@link #content()} into place and deletes the staging directory. A file replaces an existing file in
     * one atomic rename; otherwise an existing destination is moved into the staging directory first and moved
     * back if the second rename fails.
     *
     * @throws IllegalStateException if the output was committed or discarded already
     * @throws IOException           if a rename fails; the destination is then as it was
     */
    public synchronized void commit() throws IOException {
        if (state != State.OPEN) {
            throw new IllegalStateException("The output for " + destination + " is already "
                    + (state == State.COMMITTED
                            ? "committed"
                            : "discarded (the JVM is shutting down, or it was closed)"));
        }
        Path content = content();
        if (!Files.exists(destination, LinkOption.NOFOLLOW_LINKS)
                || (Files.isRegularFile(content, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isDirectory(destination, LinkOption.NOFOLLOW_LINKS))) {
            rename(content, destination);
        } else {
            Path old = dir.resolve(OLD);
            Files.move(destination, old, StandardCopyOption.ATOMIC_MOVE);
            try {
                Files.move(content, destination, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                Files.move(old, destination, StandardCopyOption.ATOMIC_MOVE);
                throw e;
            }
        }
        state = State.COMMITTED;
        syncDirectory(destination.getParent());
        deleteStaging(dir);
        removeShutdownHook();
    }

    /** Deletes the staging directory unless the output was committed. Closing twice does nothing. */
    @Override
    public void close() {
        discard();
        removeShutdownHook();
    }

    private synchronized void discard() {
        if (state == State.OPEN) {
            state = State.DISCARDED;
            restoreAndDelete(dir, destination);
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run; it does what close would.
        }
    }

    // ---------------------------------------------------------------- leftovers of killed writers

    /**
     * What {@link #removeLeftovers} found: a staging directory of the destination, and what was done with it.
     *
     * @param path    the staging directory
     * @param outcome removed, removed after moving the previous output back, or kept
     * @param bytes   the bytes of the files it held
     * @param reason  why, in words: whose it was and why it could (not) be removed
     */
    public record Leftover(Path path, Outcome outcome, long bytes, String reason) {
        /** What was done with a leftover staging directory. */
        public enum Outcome {
            /** Deleted: its writer is gone. */
            REMOVED,
            /** Its writer was killed while replacing the destination: the previous output was moved back first. */
            RESTORED,
            /** Left alone: its writer still runs, or it is not provably jmlx's. */
            KEPT
        }

        /** One line for a person, e.g. {@code removed .out.0a1b2c3d4e5f.tmp (1,234 bytes), left by ...}. */
        public String message() {
            String name = path.getFileName().toString();
            return switch (outcome) {
                case REMOVED ->
                    "removed " + name + " (" + String.format(Locale.ROOT, "%,d", bytes) + " bytes), " + reason;
                case RESTORED -> "moved the previous output back from " + name + " and removed the rest, " + reason;
                case KEPT -> "kept " + name + ": " + reason;
            };
        }
    }

    /**
     * Finds the staging directories left beside {@code destination} and removes those whose writer is gone (see
     * the class comment); the others are reported as kept. Nothing is done, and nothing returned, when the
     * destination's folder does not exist.
     *
     * @throws IOException if the folder cannot be listed
     */
    public static List<Leftover> removeLeftovers(Path destination) throws IOException {
        Path target = absolute(destination);
        Path parent = target.getParent();
        List<Leftover> found = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return found;
        }
        Pattern ours = Pattern.compile(
                Pattern.quote("." + base(target) + ".") + "[0-9a-f]{" + HEX_DIGITS + "}" + Pattern.quote(".tmp"));
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(parent)) {
            for (Path p : s) {
                if (ours.matcher(p.getFileName().toString()).matches()) {
                    candidates.add(p);
                }
            }
        }
        candidates.sort(null);
        for (Path p : candidates) {
            Leftover l = inspect(p, target);
            if (l != null) {
                found.add(l);
            }
        }
        return found;
    }

    /** What to do with one candidate, done; {@code null} when it vanished meanwhile or belongs elsewhere. */
    private static Leftover inspect(Path p, Path target) {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return kept(
                    p,
                    "it is not a directory, so not a jmlx staging directory (an older jmlx wrote such "
                            + "temporary files); delete it yourself if nothing uses it");
        }
        Optional<Owner> owner = Owner.read(p.resolve(OWNER_FILE));
        if (owner.isEmpty()) {
            if (abandonedAtBirth(p)) {
                return new Leftover(p, Leftover.Outcome.REMOVED, 0, "empty: its writer stopped as it started");
            }
            return kept(
                    p,
                    "it has no jmlx owner record, so it may not be jmlx's; delete it yourself if nothing " + "uses it");
        }
        Owner o = owner.get();
        if (!o.destination().equals(target)) {
            return null;
        }
        if (o.running()) {
            return kept(p, "jmlx process " + o.describe() + " is still writing it");
        }
        long bytes = treeBytes(p);
        boolean restored = restoreAndDelete(p, target);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return kept(p, "left by jmlx process " + o.describe() + ", which is gone, but it could not be deleted");
        }
        return new Leftover(
                p,
                restored ? Leftover.Outcome.RESTORED : Leftover.Outcome.REMOVED,
                bytes,
                "left by jmlx process " + o.describe() + ", which is no longer running");
    }

    private static Leftover kept(Path p, String reason) {
        return new Leftover(p, Leftover.Outcome.KEPT, treeBytes(p), reason);
    }

    /**
     * Moves a previous output parked in {@code dir} back to {@code target} when the target is missing (a writer
     * stopped between the two renames of a replacement), then deletes {@code dir}. Returns whether it moved one
     * back. A previous output that cannot be moved back is never deleted.
     */
    private static boolean restoreAndDelete(Path dir, Path target) {
        Path old = dir.resolve(OLD);
        boolean restored = false;
        if (Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(old);
            } else {
                try {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                    syncDirectory(target.getParent());
                    restored = true;
                } catch (IOException | RuntimeException e) {
                    return false; // keep everything: the previous output must not be lost
                }
            }
        }
        deleteStaging(dir);
        return restored;
    }

    /** Deletes a staging directory: its contents first, the owner record last, so content never lacks an owner. */
    private static void deleteStaging(Path dir) {
        for (Path child : children(dir)) {
            if (!child.getFileName().toString().equals(OWNER_FILE)) {
                deleteTree(child);
            }
        }
        deleteTree(dir);
    }

    /**
     * Deletes a staging directory that a writer left before its owner record was complete: an empty one (deleted
     * in one step, which fails if a writer fills it meanwhile), or one holding only an incomplete record older than
     * a minute (a writer writes its record at once). Returns whether it was deleted.
     */
    private static boolean abandonedAtBirth(Path dir) {
        List<Path> children = children(dir);
        try {
            if (children.size() == 1
                    && children.getFirst().getFileName().toString().equals(OWNER_FILE)
                    && Files.isRegularFile(children.getFirst(), LinkOption.NOFOLLOW_LINKS)
                    && Files.getLastModifiedTime(children.getFirst())
                            .toInstant()
                            .isBefore(Instant.now().minusSeconds(60))) {
                Files.delete(children.getFirst());
            } else if (!children.isEmpty()) {
                return false;
            }
            Files.delete(dir);
            return true;
        } catch (IOException notEmptyOrGone) {
            return false;
        }
    }

    /** Deletes a file or directory tree as far as it can; entries that vanish meanwhile are fine. */
    private static void deleteTree(Path root) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                for (Path child : children(root)) {
                    deleteTree(child);
                }
            }
            try {
                Files.deleteIfExists(root);
                return;
            } catch (IOException notYet) {
                // A directory someone added to meanwhile (a writer still running during shutdown): try again.
            }
        }
    }

    private static List<Path> children(Path dir) {
        List<Path> list = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(list::add);
        } catch (IOException | RuntimeException gone) {
            // Not a directory (any more): nothing to list.
        }
        return list;
    }

    private static long treeBytes(Path root) {
        try {
            BasicFileAttributes a = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                return a.size();
            }
        } catch (IOException gone) {
            return 0;
        }
        long total = 0;
        for (Path child : children(root)) {
            total += treeBytes(child);
        }
        return total;
    }

    // ---------------------------------------------------------------- names and the owner record

    private static Path absolute(Path destination) {
        Path target = Objects.requireNonNull(destination, "destination")
                .toAbsolutePath()
                .normalize();
        if (target.getParent() == null) {
            throw new IllegalArgumentException("Cannot write to the root directory " + target);
        }
        return target;
    }

    private static String base(Path target) {
        String name = target.getFileName().toString();
        return name.length() > 100 ? name.substring(0, 100) : name;
    }

    private static String hiddenName(Path target) {
        byte[] random = new byte[HEX_DIGITS / 2];
        ThreadLocalRandom.current().nextBytes(random);
        return "." + base(target) + "." + HexFormat.of().formatHex(random) + ".tmp";
    }

    private static void writeOwnerRecord(Path file, Path target) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        String record = RECORD_TITLE + "\npid=" + self.pid() + "\nstarted="
                + self.info().startInstant().map(Instant::toString).orElse("unknown") + "\ndestination=" + target
                + "\n";
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(record.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                c.write(bytes);
            }
            c.force(true);
        }
    }

    /** An owner record: who wrote a staging directory, for which destination. */
    private record Owner(long pid, Optional<Instant> started, Path destination) {
        /** The record in {@code file}, or empty when it is missing, incomplete or not a jmlx record. */
        static Optional<Owner> read(Path file) {
            List<String> lines;
            try {
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > 64 * 1024) {
                    return Optional.empty();
                }
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException unreadable) {
                return Optional.empty();
            }
            if (lines.size() != 4
                    || !lines.get(0).equals(RECORD_TITLE)
                    || !lines.get(1).startsWith("pid=")
                    || !lines.get(2).startsWith("started=")
                    || !lines.get(3).startsWith("destination=")) {
                return Optional.empty();
            }
            try {
                long pid = Long.parseLong(lines.get(1).substring("pid=".length()));
                String started = lines.get(2).substring("started=".length());
                return Optional.of(new Owner(
                        pid,
                        started.equals("unknown") ? Optional.empty() : Optional.of(Instant.parse(started)),
                        Path.of(lines.get(3).substring("destination=".length()))));
            } catch (NumberFormatException | DateTimeParseException | java.nio.file.InvalidPathException e) {
                return Optional.empty();
            }
        }

        /**
         * Whether the writer may still run: its process id is in use by a process that started when it did (or
         * whose start time cannot be told).
         */
        boolean running() {
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            if (process.isEmpty() || !process.get().isAlive()) {
                return false;
            }
            Optional<Instant> now = process.get().info().startInstant();
            return started.isEmpty() || now.isEmpty() || started.get().equals(now.get());
        }

        String describe() {
            return pid + started.map(s -> " (started " + s + ")").orElse("");
        }
    }

    @Override
    public String toString() {
        return "StagingDirectory(" + dir + " -> " + destination + ")";
    }

    /** Makes a rename in {@code dir} durable where the platform allows it (a directory cannot be opened on every OS). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Best effort: the files themselves are already on disk.
        }
    }

    /** Renames a file over another in one step where the file system allows it. */
    private static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException notAtomic) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
