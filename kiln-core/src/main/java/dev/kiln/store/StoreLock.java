package dev.kiln.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a lock file, between processes (fcntl lock through {@link FileChannel#lock})
 * and between threads of this JVM (a lock per path: the JDK refuses overlapping file locks in one
 * JVM instead of waiting). Not reentrant across the file lock: do not nest the same path.
 */
final class StoreLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

    private final ReentrantLock threadLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private StoreLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
        this.threadLock = threadLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    static StoreLock acquire(Path lockFile) throws IOException {
        return acquire(lockFile, false);
    }

    /**
     * A shared lock: other processes may hold it shared at the same time, none exclusively.
     * Within this JVM it is still exclusive (the JDK refuses two overlapping locks in one JVM).
     */
    static StoreLock acquireShared(Path lockFile) throws IOException {
        return acquire(lockFile, true);
    }

    private static StoreLock acquire(Path lockFile, boolean shared) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock t = IN_JVM.computeIfAbsent(key, k -> new ReentrantLock());
        t.lock();
        FileChannel ch = null;
        try {
            ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            return new StoreLock(t, ch, ch.lock(0, Long.MAX_VALUE, shared));
        } catch (IOException | RuntimeException e) {
            if (ch != null) ch.close();
            t.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
            channel.close();
        } finally {
            threadLock.unlock();
        }
    }
}
