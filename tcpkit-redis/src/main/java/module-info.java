/** A chat room across tcpkit instances on Redis: {@code dev.tcpkit.redis.RedisChatLink}, a core ChatLink on Lettuce. */
module dev.tcpkit.redis {
    exports dev.tcpkit.redis;

    requires transitive dev.tcpkit.core;
    requires lettuce.core;
    requires org.slf4j;
    requires static org.jspecify;
}
