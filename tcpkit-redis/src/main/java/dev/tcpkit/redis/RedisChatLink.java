package dev.tcpkit.redis;

import dev.tcpkit.service.chat.ChatLink;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat room across instances on Redis. Keys, for room R: channel {@code tcpkit:chat:R} carries every line and
 * notice as {@code INSTANCE-ID \n TEXT} (an instance drops its own); hash {@code tcpkit:chat:R:names} holds each
 * member's name (lower case, as the room compares names) claimed with HSETNX, the value naming its instance; key
 * {@code tcpkit:chat:R:alive:ID} is each instance's heartbeat, set every {@value #HEARTBEAT_SECONDS} s to expire in
 * {@value #ALIVE_SECONDS} s. An instance that finds a name whose instance's heartbeat has expired removes it, and the
 * one whose HDEL removed it announces the member gone: once, within {@value #ALIVE_SECONDS} + {@value
 * #HEARTBEAT_SECONDS} s of the kill.
 *
 * <p>Lines go out on one connection in the order they are published, and Redis delivers a channel's messages to each
 * subscriber in the order it got them: each sender's lines arrive in order. While the connection is down, commands
 * are refused at once (not buffered): lines reach the local room only and are never replayed; Lettuce reconnects
 * with backoff and resubscribes.
 */
// Heartbeats, releases and re-claims are written without waiting: one that fails is redone by the next heartbeat or
// reconnect, or concerns a member already gone.
@SuppressWarnings("FutureReturnValueIgnored")
public final class RedisChatLink implements ChatLink {
    private static final Logger log = LoggerFactory.getLogger(RedisChatLink.class);
    private static final int HEARTBEAT_SECONDS = 3;
    private static final int ALIVE_SECONDS = 10;
    /** The longest a name claim or /who waits for Redis (on a client's event loop) before going on locally. */
    private static final Duration COMMAND_WAIT = Duration.ofSeconds(1);

    private final String id = UUID.randomUUID().toString();
    private final String instanceName;
    private final String channel;
    private final String names;
    private final String alivePrefix;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RedisAsyncCommands<String, String> redis;
    /** Heartbeat, expiry of other instances' members, and re-claiming names after a reconnect. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tcpkit-redis-presence");
        t.setDaemon(true);
        return t;
    });

    private final AtomicBoolean down = new AtomicBoolean();
    /** The link's two connections (commands, pub/sub) now disconnected: it is back only when both are. */
    private final Set<RedisChannelHandler<?, ?>> disconnected = ConcurrentHashMap.newKeySet();
    /**
     * Set when the link comes back, cleared once every member's name is claimed again and every unreleased name
     * dropped with Redis answering: a reconnect notice can precede the command connection's handshake, so what
     * failed then is redone by the next heartbeat.
     */
    private volatile boolean resyncPending;
    /**
     * Names given up (left, renamed) while the link was down: still in the hash, so still taken and listed by /who on
     * the other instances (Redis may come back with its data), until {@link #restored} removes them.
     */
    private final Set<String> unreleased = ConcurrentHashMap.newKeySet();
    /** Set by {@link #close}: the connections closing then are no lost link. */
    private volatile boolean closed;

    private volatile @Nullable Room room;

    private RedisChatLink(
            String instanceName,
            String roomName,
            ClientResources resources,
            RedisClient client,
            StatefulRedisConnection<String, String> connection,
            StatefulRedisPubSubConnection<String, String> pubSub) {
        this.instanceName = instanceName;
        this.channel = "tcpkit:chat:" + roomName;
        this.names = channel + ":names";
        this.alivePrefix = channel + ":alive:";
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.pubSub = pubSub;
        this.redis = connection.async();
    }

    /**
     * Connects to Redis at {@code uri} ({@code redis[s]://[[USER]:PASSWORD@]HOST:PORT[/DB]}) and subscribes to the
     * room, within {@code connectTimeout}.
     *
     * @param password used when the URI has none (e.g. from the environment), or {@code null}
     * @throws IllegalArgumentException if {@code uri} is not a Redis address; the message never repeats it
     * @throws IOException if Redis cannot be reached or refuses the credentials; the message names host and port only
     */
    public static RedisChatLink connect(
            String uri, @Nullable String password, String roomName, String instanceName, Duration connectTimeout)
            throws IOException {
        RedisURI redisUri = parse(uri);
        if (password != null && !password.isEmpty()) {
            // The URI's own password wins; redis://USER:@HOST takes the user from it and the password from here.
            String userInfo = java.net.URI.create(uri).getRawUserInfo();
            if (userInfo == null) {
                redisUri.setAuthentication(password.toCharArray());
            } else if (userInfo.endsWith(":") && userInfo.length() > 1) {
                redisUri.setAuthentication(userInfo.substring(0, userInfo.length() - 1), password.toCharArray());
            }
        }
        redisUri.setTimeout(connectTimeout);
        // Own small resources, not the server's event loops: Redis is connected before the server starts, so that
        // an unreachable Redis fails the start with nothing yet listening, and the server's loops do not exist yet.
        // Two threads each, Lettuce's least. Lettuce on epoll only: with io_uring also there it warns at every start.
        System.setProperty("io.lettuce.core.iouring", "false");
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                // Lettuce's default backoff grows to 30 s; a room wants its link back within seconds.
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(5), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Down: refuse at once, so lines said meanwhile stay local and are not replayed later.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(
                        SocketOptions.builder().connectTimeout(connectTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(connectTimeout))
                .build());
        String where = redisUri.getHost() + ":" + redisUri.getPort();
        try {
            StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8, redisUri);
            StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub(StringCodec.UTF8, redisUri);
            RedisChatLink link = new RedisChatLink(instanceName, roomName, resources, client, connection, pubSub);
            link.start();
            return link;
        } catch (RedisException e) {
            client.shutdown();
            resources.shutdown();
            throw new IOException("cannot use Redis at " + where + ": " + reason(e));
        }
    }

    private static RedisURI parse(String uri) {
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw new IllegalArgumentException("--redis must be redis[s]://[[USER]:PASSWORD@]HOST:PORT[/DB]");
        }
        try {
            java.net.URI.create(uri);
            return RedisURI.create(uri);
        } catch (RuntimeException e) {
            // Not e's message: it may hold the address, password and all.
            throw new IllegalArgumentException("--redis must be redis[s]://[[USER]:PASSWORD@]HOST:PORT[/DB]", e);
        }
    }

    /** The innermost cause's message: "Connection refused", "WRONGPASS …"; never the URI. */
    private static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    private void start() {
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                int cut = message.indexOf('\n');
                Room to = room;
                if (cut > 0 && to != null && !message.regionMatches(0, id, 0, cut)) {
                    to.received(message.substring(cut + 1));
                }
            }
        });
        pubSub.sync().subscribe(channel);
        connection.sync().set(alivePrefix + id, instanceName, SetArgs.Builder.ex(ALIVE_SECONDS));
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                disconnected.add(handler);
                Room to = room;
                if (!closed && down.compareAndSet(false, true) && to != null) {
                    to.lost();
                }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                disconnected.remove(handler);
                if (disconnected.isEmpty() && down.compareAndSet(true, false)) {
                    timer.execute(RedisChatLink.this::restored);
                }
            }
        });
        timer.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void open(Room room) {
        this.room = room;
    }

    /** Back after a loss: says so, then claims this instance's members' names again and drops those given up. */
    private void restored() {
        Room to = room;
        if (to == null) {
            return;
        }
        to.restored();
        resyncPending = true;
        heartbeat();
    }

    /** Re-claims every member's name and drops the unreleased ones; true once Redis answered every command. */
    private boolean resync(Room to) {
        boolean answered = true;
        for (Member m : to.members()) {
            Boolean ours = claimOrNull(m);
            if (ours == null) {
                answered = false;
            } else if (!ours) {
                to.nameConflict(m.name());
            }
        }
        return dropUnreleased(to) && answered;
    }

    /**
     * Removes the names given up while down, unless a member here holds one again, and tells the others they left;
     * a name whose commands got no answer stays for the next try. True if none is left.
     */
    private boolean dropUnreleased(Room to) {
        Set<String> held = new java.util.HashSet<>();
        for (Member m : to.members()) {
            held.add(key(m.name()));
        }
        for (String name : List.copyOf(unreleased)) {
            String key = key(name);
            if (!held.contains(key)) {
                Optional<String> value = await(() -> redis.hget(names, key).thenApply(Optional::ofNullable));
                if (value == null) {
                    continue;
                }
                Entry holder = Entry.parse(value.orElse(null));
                if (holder != null && holder.instanceId.equals(id)) {
                    Long removed = await(() -> redis.hdel(names, key));
                    if (removed == null) {
                        continue;
                    }
                    if (removed == 1) {
                        to.leftWhileDown(name);
                    }
                }
            }
            unreleased.remove(name);
        }
        return unreleased.isEmpty();
    }

    private void heartbeat() {
        try {
            redis.set(alivePrefix + id, instanceName, SetArgs.Builder.ex(ALIVE_SECONDS));
            Room to = room;
            if (resyncPending && !down.get() && to != null && resync(to)) {
                resyncPending = false;
            }
            expireTheDead();
        } catch (RuntimeException e) {
            log.debug("presence check failed: {}", e.toString());
        }
    }

    /** Names held by instances whose heartbeat expired: removed, and announced gone by whoever removes each. */
    private void expireTheDead() {
        Room to = room;
        if (to == null || down.get()) {
            return;
        }
        Map<String, String> all = await(() -> redis.hgetall(names));
        if (all == null) {
            return;
        }
        Map<String, Boolean> alive = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : all.entrySet()) {
            Entry entry = Entry.parse(e.getValue());
            if (entry == null || entry.instanceId.equals(id)) {
                continue;
            }
            Boolean up = alive.computeIfAbsent(entry.instanceId, other -> {
                Long n = await(() -> redis.exists(alivePrefix + other));
                return n == null || n > 0;
            });
            if (!up) {
                Long removed = await(() -> redis.hdel(names, e.getKey()));
                if (removed != null && removed == 1) {
                    log.info("{} on {} gone: its instance stopped answering", entry.name, entry.instanceName);
                    to.gone(entry.name);
                }
            }
        }
    }

    @Override
    public CompletionStage<?> publish(String text) {
        if (down.get()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return redis.publish(channel, id + "\n" + text);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public boolean claim(Member member) {
        if (down.get()) {
            return true;
        }
        Boolean ours = claimOrNull(member);
        return ours == null || ours; // no answer: the local room alone decides
    }

    /** Whether the member's name is this instance's in the hash now, or null if Redis did not answer. */
    private @Nullable Boolean claimOrNull(Member member) {
        String key = key(member.name());
        String value = new Entry(id, instanceName, member.address(), member.joinedMillis(), member.name()).format();
        Boolean set = await(() -> redis.hsetnx(names, key, value));
        if (set == null || set) {
            return set;
        }
        Optional<String> held = await(() -> redis.hget(names, key).thenApply(Optional::ofNullable));
        if (held == null) {
            return null;
        }
        Entry holder = Entry.parse(held.orElse(null));
        if (holder == null || holder.instanceId.equals(id)) {
            // Ours already (a re-claim after a reconnect), or released in between.
            return await(() -> redis.hset(names, key, value)) == null ? null : Boolean.TRUE;
        }
        return false;
    }

    @Override
    public void release(String name) {
        if (down.get()) {
            unreleased.add(name);
            return;
        }
        String key = key(name);
        try {
            redis.hget(names, key).thenAccept(value -> {
                Entry holder = Entry.parse(value);
                if (holder != null && holder.instanceId.equals(id)) {
                    redis.hdel(names, key);
                }
            });
        } catch (RuntimeException e) {
            log.debug("redis: {}", e.toString()); // down or closed: the name expires with this instance's heartbeat
        }
    }

    @Override
    public List<Member> remoteMembers() {
        List<Member> remote = new ArrayList<>();
        if (down.get()) {
            return remote;
        }
        Map<String, String> all = await(() -> redis.hgetall(names));
        if (all == null) {
            return remote;
        }
        for (String value : all.values()) {
            Entry entry = Entry.parse(value);
            if (entry != null && !entry.instanceId.equals(id)) {
                remote.add(new Member(entry.name, entry.address, entry.instanceName, entry.joinedMillis));
            }
        }
        remote.sort(java.util.Comparator.comparingLong(Member::joinedMillis));
        return remote;
    }

    @Override
    public String instanceName() {
        return instanceName;
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        try {
            if (!down.get()) {
                await(() -> redis.del(alivePrefix + id));
            }
        } finally {
            pubSub.close();
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    /** The room compares names without regard to case; so does the hash. */
    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The command's reply, or null if it failed or Redis did not give one within {@link #COMMAND_WAIT}: the room then goes on locally. */
    private static <T> @Nullable T await(java.util.function.Supplier<CompletionStage<T>> command) {
        try {
            return command.get().toCompletableFuture().get(COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            log.debug("redis: {}", e.toString());
            return null;
        }
    }

    /** A name's value in the hash: tab-separated (no name or address holds a tab). */
    private record Entry(String instanceId, String instanceName, String address, long joinedMillis, String name) {
        String format() {
            return String.join("\t", instanceId, instanceName, address, Long.toString(joinedMillis), name);
        }

        static @Nullable Entry parse(@Nullable String value) {
            if (value == null) {
                return null;
            }
            String[] f = value.split("\t", -1);
            if (f.length != 5) {
                return null;
            }
            try {
                return new Entry(f[0], f[1], f[2], Long.parseLong(f[3]), f[4]);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
