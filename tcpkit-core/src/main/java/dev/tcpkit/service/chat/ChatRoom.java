package dev.tcpkit.service.chat;

import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Cuts;
import dev.tcpkit.internal.LogThrottle;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients of one chat server and what passes between them. Thread-safe: each client's handler calls it from
 * that client's event loop, and clients are spread over all the loops.
 *
 * <p>Joining, leaving and renaming take the room's lock; they are rare. Relaying a line does not: it reads the member
 * list (an array replaced, never changed, under the lock), encodes the line once and offers it to each other
 * member's {@link Outbox}, which never blocks. So a sender's event loop never waits for a receiver, and a receiver
 * that does not read is cut from the room as soon as its outbox overflows, or its send timeout passes.
 *
 * <p>The sender pays for a room that cannot keep up with it: what its lines hold in all the outboxes together is
 * counted in its {@link Backlog}, and past its share its reads pause (see {@link ChatHandler}) until the room has
 * taken half of that. So a client sending as fast as it can is slowed to the pace of the room, instead of filling
 * every outbox at once and having every reader cut.
 */
final class ChatRoom {
    private static final Logger log = LoggerFactory.getLogger(ChatRoom.class);
    private static final ChatMember[] NONE = new ChatMember[0];

    private final ChatConfig config;
    /** In the order they joined. */
    private volatile ChatMember[] members = NONE;
    /** Guarded by this: every present member by {@link Nicknames#key}. */
    private final Map<String, ChatMember> byName = new HashMap<>();
    /** Guarded by this: the number in the last {@code userN} name given. */
    private long lastUserNumber;
    /** At most one line a second saying a client was slowed: a room full of flooders does not flood the log. */
    private final LogThrottle slowedLog = LogThrottle.perSecond();
    /** The same room on other instances, or null: this instance alone. */
    private final @Nullable ChatLink link;

    ChatRoom(ChatConfig config, @Nullable ChatLink link) {
        this.config = config;
        this.link = link;
        if (link != null) {
            link.open(new LinkedRoom());
        }
    }

    /**
     * Adds the client of {@code channel} under a fresh {@code userN} name, welcomes it and tells the others.
     *
     * @param caughtUp runs on the client's event loop when, its reads paused for its backlog, the room has caught up
     */
    ChatMember join(Channel channel, String address, Runnable caughtUp) {
        ChatMember member;
        synchronized (this) {
            long joinedMillis = config.clock().millis();
            String name = freeUserName(address, joinedMillis);
            member = new ChatMember(channel, address, name, joinedMillis, config, this::cutNotReading, caughtUp);
            // Before it is listed: the welcome is the first line a client gets, before anything relayed to it.
            member.send(ChatText.welcome(name, members.length + 1));
            byName.put(Nicknames.key(name), member);
            ChatMember[] more = Arrays.copyOf(members, members.length + 1);
            more[members.length] = member;
            members = more;
        }
        log.info("{} joined as {}", address, member.name());
        broadcast(member, ChatText.joined(member.name(), address));
        return member;
    }

    /** Claims the name across instances; always true without a link. */
    private boolean claim(String name, String address, long joinedMillis) {
        return link == null || link.claim(new ChatLink.Member(name, address, link.instanceName(), joinedMillis));
    }

    private String freeUserName(String address, long joinedMillis) {
        String name;
        do {
            name = "user" + ++lastUserNumber;
        } while (byName.containsKey(Nicknames.key(name)) || !claim(name, address, joinedMillis));
        return name;
    }

    /**
     * Sends {@code text} from {@code from} to every other member as {@code <name> text}, counting it in the sender's
     * backlog for as long as it waits in their outboxes. Call {@link Backlog#over()} after it.
     */
    void relay(ChatMember from, String text) {
        broadcast(from, ChatText.relayed(from.name(), text), from.backlog());
    }

    /** The member's reads paused for the first time because its lines fill the room: says so, rate-limited. */
    void slowed(ChatMember member) {
        long more = slowedLog.tryAcquire();
        if (more >= 0) {
            log.info(
                    "slowing {}: it sends faster than the room reads, its reads pause while more than {} bytes of its"
                            + " lines wait{}",
                    member,
                    member.backlog().limit(),
                    more == 0 ? "" : " (and " + more + " more clients slowed since the last such line)");
        }
    }

    /** {@code /nick NAME}: renames the member and tells everyone, or tells the member why not. */
    void rename(ChatMember member, String wanted) {
        if (wanted.isEmpty()) {
            member.send(ChatText.nickUsage());
            return;
        }
        if (!Nicknames.isValid(wanted)) {
            member.send(ChatText.nameInvalid(wanted));
            return;
        }
        String old = member.name();
        @Nullable String refusal = null;
        synchronized (this) {
            ChatMember holder = byName.get(Nicknames.key(wanted));
            if (old.equals(wanted)) {
                refusal = ChatText.sameName(old);
            } else if (holder != null && holder != member) {
                refusal = ChatText.nameTaken(wanted);
            } else if (holder == null && !claim(wanted, member.address(), member.joinedMillis())) {
                refusal = ChatText.nameTaken(wanted);
            } else if (member.present()) {
                release(old, wanted);
                byName.remove(Nicknames.key(old));
                byName.put(Nicknames.key(wanted), member);
                member.name(wanted);
            } else {
                return; // it has just left: nobody to tell
            }
        }
        if (refusal != null) {
            member.send(refusal);
            return;
        }
        log.info("{} ({}) is now {}", old, member.address(), wanted);
        // Paid for like a line it says: a client renaming itself in a loop is slowed like one that floods.
        broadcast(null, ChatText.renamed(old, wanted), member.backlog());
    }

    /** Gives {@code old} up across instances, unless it is the same name in another case. */
    private void release(String old, String wanted) {
        if (link != null && !Nicknames.key(old).equals(Nicknames.key(wanted))) {
            link.release(old);
        }
    }

    /** {@code /who}: answers the asker, in one piece, with every member's name, address and time connected. */
    void who(ChatMember asker) {
        ChatMember[] now = members;
        long millis = config.clock().millis();
        StringJoiner answer = new StringJoiner("\n");
        if (link == null) {
            answer.add(ChatText.whoHeader(now.length));
            for (ChatMember m : now) {
                Duration connected = Duration.ofMillis(millis - m.joinedMillis());
                answer.add(ChatText.whoEntry(m.name(), m.address(), connected, m == asker));
            }
        } else {
            List<ChatLink.Member> remote = link.remoteMembers();
            answer.add(ChatText.whoHeader(now.length + remote.size()));
            for (ChatMember m : now) {
                Duration connected = Duration.ofMillis(millis - m.joinedMillis());
                answer.add(ChatText.whoEntry(m.name(), m.address(), link.instanceName(), connected, m == asker));
            }
            for (ChatLink.Member m : remote) {
                Duration connected = Duration.ofMillis(Math.max(0, millis - m.joinedMillis()));
                answer.add(ChatText.whoEntry(m.name(), m.address(), m.instance(), connected, false));
            }
        }
        asker.send(answer.toString());
    }

    /**
     * Takes the member out of the room and sends {@code notice} to those who remain; false (and no notice) if it had
     * already left. Its connection is left to the caller.
     */
    boolean leave(ChatMember member, String notice) {
        synchronized (this) {
            if (!member.present()) {
                return false;
            }
            member.markLeft();
            byName.remove(Nicknames.key(member.name()));
            if (link != null) {
                link.release(member.name());
            }
            members = Arrays.stream(members).filter(m -> m != member).toArray(ChatMember[]::new);
        }
        broadcast(member, notice);
        return true;
    }

    /**
     * A limit disconnects the member: out of the room, the others told {@code why}, counted as cut and logged with
     * {@code detail} (at most one line a second for the whole server, see {@link Cuts}). False if it had already
     * left. Closing the connection is left to the caller.
     */
    boolean cut(ChatMember member, CloseReason reason, String why, String detail) {
        if (!leave(member, ChatText.disconnected(member.name(), why))) {
            return false;
        }
        Cuts.report(member.channel(), reason, detail);
        return true;
    }

    /**
     * Its outbox overflowed (on the thread that offered the line) or its send timeout passed (on its own loop): the
     * client does not read.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // closing is all that is left to do, whatever the outcome
    private void cutNotReading(ChatMember member, String detail) {
        cut(member, CloseReason.SLOW_CONSUMER, "not reading", "not reading: " + detail);
        member.channel().close(); // on its own event loop, which then drops what waits (see ChatHandler)
    }

    /** Sends {@code text}, which no member pays for, to every member but {@code except} ({@code null}: to everyone). */
    private void broadcast(@Nullable ChatMember except, String text) {
        if (link != null) {
            link.publish(text);
        }
        deliver(except, text);
    }

    /** Sends {@code text} to every member here but {@code except}, and to no other instance. */
    private void deliver(@Nullable ChatMember except, String text) {
        byte[] line = ChatMember.encode(text, config.charset());
        for (ChatMember member : members) {
            if (member != except) {
                member.outbox().offer(line);
            }
        }
    }

    /**
     * Sends {@code text} to every member but {@code except} ({@code null}: to everyone), counted in {@code payer}'s
     * backlog for as long as it waits in their outboxes.
     */
    private void broadcast(@Nullable ChatMember except, String text, Backlog payer) {
        Outbox.Line line = new Outbox.Line(ChatMember.encode(text, config.charset()), payer);
        ChatMember[] now = members;
        int receivers = 0;
        for (ChatMember member : now) {
            if (member != except) {
                receivers++;
            }
        }
        // Counted before it is offered: a receiver on another loop may write it out, and release it, at once.
        payer.add(line.cost() * receivers);
        int refused = 0;
        for (ChatMember member : now) {
            if (member != except && !member.outbox().offer(line)) {
                refused++; // left, or cut for not reading
            }
        }
        if (refused > 0) {
            payer.release(line.cost() * refused);
        }
        if (link != null) {
            // Paid for until the link has taken it: a link that cannot keep up pauses the sender like a slow room.
            long cost = line.cost();
            payer.add(cost);
            link.publish(text).whenComplete((ok, failed) -> payer.release(cost));
        }
    }

    /** Closes the link to other instances, if any. */
    void close() {
        if (link != null) {
            link.close();
        }
    }

    /** What the link to other instances tells the room. */
    private final class LinkedRoom implements ChatLink.Room {
        @Override
        public void received(String text) {
            deliver(null, text);
        }

        @Override
        public void lost() {
            log.warn("cluster link lost: the room goes on with the members on this instance");
            deliver(null, ChatText.linkLost());
        }

        @Override
        public void restored() {
            log.info("cluster link restored");
            deliver(null, ChatText.linkRestored());
        }

        @Override
        public List<ChatLink.Member> members() {
            String instance = link == null ? "" : link.instanceName();
            return Arrays.stream(ChatRoom.this.members)
                    .map(m -> new ChatLink.Member(m.name(), m.address(), instance, m.joinedMillis()))
                    .toList();
        }

        @Override
        public void gone(String name) {
            broadcast(null, ChatText.left(name));
        }

        @Override
        public void leftWhileDown(String name) {
            if (link != null) {
                link.publish(ChatText.left(name)); // the members here heard it when it happened
            }
        }

        @Override
        public void nameConflict(String name) {
            ChatMember member;
            synchronized (ChatRoom.this) {
                member = byName.get(Nicknames.key(name));
            }
            if (member != null) {
                member.send(ChatText.nameHeldElsewhere(name));
            }
        }
    }

    /** Members in the room now. */
    int size() {
        return members.length;
    }

    /** Bytes waiting in all members' outboxes now. */
    long queuedBytes() {
        long sum = 0;
        for (ChatMember member : members) {
            sum += member.outbox().queuedBytes();
        }
        return sum;
    }

    /** Bytes waiting in the fullest outbox now. */
    long largestQueue() {
        long max = 0;
        for (ChatMember member : members) {
            max = Math.max(max, member.outbox().queuedBytes());
        }
        return max;
    }
}
