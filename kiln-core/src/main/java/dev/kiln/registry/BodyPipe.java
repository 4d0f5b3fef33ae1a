package dev.kiln.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body written as an {@link OutputStream} by one producing thread while java.net.http
 * sends it: each write waits for the client's demand and hands it the bytes (copied), so the
 * client's own threads never block on the producer. One subscriber only (a body that has been
 * sent cannot be sent again). Once {@link #abandon}ed (the exchange is over, whether or not it
 * read everything), writes are dropped, so a producer that also writes elsewhere (the store)
 * carries on.
 */
final class BodyPipe extends OutputStream implements Flow.Publisher<ByteBuffer> {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Flow.Subscriber<? super ByteBuffer> subscriber;
    private long demand;
    private boolean stopped; // cancelled by the client, or abandoned
    private boolean ended;
    private volatile long written; // one writer; read by the sending thread once the exchange is over

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        lock.lock();
        boolean first = subscriber == null && !stopped;
        if (first) subscriber = s;
        lock.unlock();
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (!first) return;
                lock.lock();
                try {
                    demand = n <= 0 || demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void cancel() {
                if (first) abandon();
            }
        });
        if (!first) s.onError(new IOException("a streamed request body can be sent only once"));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) return;
        Flow.Subscriber<? super ByteBuffer> s = awaitDemand();
        if (s == null) return;
        written += len;
        s.onNext(ByteBuffer.wrap(java.util.Arrays.copyOfRange(b, off, off + len)));
    }

    /** Ends the body: the client sends its last chunk. */
    @Override
    public void close() throws IOException {
        if (ended) return;
        ended = true;
        Flow.Subscriber<? super ByteBuffer> s = awaitSubscriber();
        if (s != null) s.onComplete();
    }

    /** Ends the body with an error, so the client aborts the request instead of finishing it. */
    void fail(Throwable why) {
        if (ended) return;
        ended = true;
        Flow.Subscriber<? super ByteBuffer> s;
        lock.lock();
        s = stopped ? null : subscriber;
        stopped = true;
        changed.signalAll();
        lock.unlock();
        if (s != null) s.onError(why instanceof IOException io ? io : new IOException(why.getMessage(), why));
    }

    /** The exchange is over: writes from now on are dropped and no write waits. */
    void abandon() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes handed to the client. */
    long written() {
        return written;
    }

    private Flow.Subscriber<? super ByteBuffer> awaitDemand() throws IOException {
        lock.lock();
        try {
            while (!stopped && (subscriber == null || demand == 0)) changed.await();
            if (stopped) return null;
            if (demand != Long.MAX_VALUE) demand--;
            return subscriber;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while streaming a request body");
        } finally {
            lock.unlock();
        }
    }

    private Flow.Subscriber<? super ByteBuffer> awaitSubscriber() throws IOException {
        lock.lock();
        try {
            while (!stopped && subscriber == null) changed.await();
            return stopped ? null : subscriber;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while streaming a request body");
        } finally {
            lock.unlock();
        }
    }
}
