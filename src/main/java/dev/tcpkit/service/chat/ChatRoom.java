package dev.tcpkit.service.chat;

import dev.tcpkit.stats.ServerCounters;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
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
 * that does not read is cut from the room as soon as its outbox overflows.
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

    ChatRoom(ChatConfig config) {
        this.config = config;
    }

    /** Adds the client of {@code channel} under a fresh {@code userN} name, welcomes it and tells the others. */
    ChatMember join(Channel channel, String address) {
        ChatMember member;
        synchronized (this) {
            String name = freeUserName();
            member = new ChatMember(channel, address, name, config.clock().millis(), config, this::cutSlow);
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

    private String freeUserName() {
        String name;
        do {
            name = "user" + ++lastUserNumber;
        } while (byName.containsKey(Nicknames.key(name)));
        return name;
    }

    /** Sends {@code text} from {@code from} to every other member as {@code <name> text}. */
    void relay(ChatMember from, String text) {
        broadcast(from, ChatText.relayed(from.name(), text));
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
            } else if (member.present()) {
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
        broadcast(null, ChatText.renamed(old, wanted));
    }

    /** {@code /who}: answers the asker, in one piece, with every member's name, address and time connected. */
    void who(ChatMember asker) {
        ChatMember[] now = members;
        long millis = config.clock().millis();
        StringJoiner answer = new StringJoiner("\n");
        answer.add(ChatText.whoHeader(now.length));
        for (ChatMember m : now) {
            Duration connected = Duration.ofMillis(millis - m.joinedMillis());
            answer.add(ChatText.whoEntry(m.name(), m.address(), connected, m == asker));
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
            members = Arrays.stream(members).filter(m -> m != member).toArray(ChatMember[]::new);
        }
        broadcast(member, notice);
        return true;
    }

    /**
     * A limit disconnects the member: out of the room, the others told why, counted as cut. False if it had already
     * left.
     */
    boolean cut(ChatMember member, String why) {
        if (!leave(member, ChatText.disconnected(member.name(), why))) {
            return false;
        }
        ServerCounters counters = ServerCounters.of(member.channel());
        if (counters != null) {
            counters.countCut();
        }
        return true;
    }

    /** Its outbox overflowed (runs on the thread that offered the line): the client does not read. */
    @SuppressWarnings("FutureReturnValueIgnored") // closing is all that is left to do, whatever the outcome
    private void cutSlow(ChatMember member) {
        if (cut(member, "not reading")) {
            log.warn(
                    "disconnecting {}: not reading, more than {} bytes waiting for it (--max-queue)",
                    member,
                    config.maxQueue());
        }
        member.channel().close(); // on its own event loop, which then drops what waits (see ChatHandler)
    }

    /** Sends {@code text} to every member but {@code except} ({@code null}: to everyone). */
    private void broadcast(@Nullable ChatMember except, String text) {
        byte[] line = ChatMember.encode(text, config.charset());
        for (ChatMember member : members) {
            if (member != except) {
                member.outbox().offer(line);
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
