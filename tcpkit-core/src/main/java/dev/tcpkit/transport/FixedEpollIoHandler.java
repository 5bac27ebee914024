package dev.tcpkit.transport;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty 4.2.18's epoll {@link IoHandler}, with its sockets kept in the epoll set for as long as they are registered.
 *
 * <p>When a channel waits for no event at all (it is not reading, has nothing left to flush, and has already seen
 * the peer's end of input), Netty 4.2.18 removes its socket from the epoll set (netty/netty#16689, against the busy
 * wake-ups of an empty event mask, #16683) but still takes it for added. The next change of interest, resuming reads
 * or a write the socket cannot take at once, then fails with {@code epoll_ctl(..) failed with error(-2): No such file
 * or directory} and the channel closes: a client that had half-closed lost the answers still owed to it (issue 11).
 * NIO and io_uring are not affected.
 *
 * <p>Here a socket that has been added to the set and waits for nothing is given {@code EPOLLET} alone instead: it
 * stays in the set, is woken by nothing but a hang-up or an error, and by those only once, not in a loop. Later
 * changes of interest then modify an entry that exists. This class can go once a Netty release re-adds such a socket
 * itself: without it, {@code HandlerServiceTest.aLargeAnswerMadeAWhileAfterTheClientsHalfCloseArrivesWhole} fails on
 * epoll as long as Netty does not.
 */
final class FixedEpollIoHandler implements IoHandler {
    private final IoHandler epoll;

    private FixedEpollIoHandler(IoHandler epoll) {
        this.epoll = epoll;
    }

    /** Makes event loops of this handler, as {@link EpollIoHandler#newFactory()} does of Netty's. */
    static IoHandlerFactory newFactory() {
        IoHandlerFactory netty = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new FixedEpollIoHandler(netty.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return netty.isChangingThreadSupported();
            }
        };
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new KeptRegistration(epoll.register(handle));
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return epoll.run(context);
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        epoll.destroy();
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }

    /** One socket's registration; used on its event loop only, as Netty's is. */
    private static final class KeptRegistration implements IoRegistration {
        private final IoRegistration epoll;
        /** Whether the socket is in the epoll set: Netty adds it with the first interest that is not empty. */
        private boolean added;

        KeptRegistration(IoRegistration epoll) {
            this.epoll = epoll;
        }

        @Override
        public long submit(IoOps ops) {
            if (ops.equals(EpollIoOps.NONE)) {
                return added ? epoll.submit(EpollIoOps.EPOLLET) : epoll.submit(ops);
            }
            long submitted = epoll.submit(ops);
            added = true;
            return submitted;
        }

        @Override
        @SuppressWarnings("TypeParameterUnusedInFormals") // IoRegistration's signature
        public <T> T attachment() {
            return epoll.attachment();
        }

        @Override
        public boolean isValid() {
            return epoll.isValid();
        }

        @Override
        public boolean cancel() {
            return epoll.cancel();
        }
    }
}
