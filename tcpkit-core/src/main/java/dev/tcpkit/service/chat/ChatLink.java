package dev.tcpkit.service.chat;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A room's link to the same room on other instances (tcpkit-redis implements it on Redis). The room stays local: it
 * renders every line and notice itself and hands the text to the link, which delivers it to the other instances'
 * rooms, never back to this one; names are claimed through it so that they are unique across instances.
 *
 * <p>While the link is down, {@link #publish} reaches nobody and {@link #claim} answers from the local room alone:
 * the room goes on locally.
 */
public interface ChatLink {

    /** Starts the link: from now on what other instances say, and the link's state, go to {@code room}. */
    void open(Room room);

    /** Sends {@code text} to every member on the other instances; completes once the link has taken it. */
    CompletionStage<?> publish(String text);

    /**
     * Claims {@code member}'s name across instances: true if no other instance holds it (or the link is down).
     * Called on the member's event loop; may wait for the link, briefly.
     */
    boolean claim(Member member);

    /** Gives the name up: the member left or took another name. */
    void release(String name);

    /** The members on the other instances, as last known. */
    List<Member> remoteMembers();

    /** The name this instance goes by in {@code /who}. */
    String instanceName();

    /** Stops the link; the room no longer hears from it. */
    void close();

    /** One member of the room, on this instance or another. */
    record Member(String name, String address, String instance, long joinedMillis) {}

    /** What the link tells the room. */
    interface Room {
        /** Text another instance published: to every local member. */
        void received(String text);

        /** The link went down: the room goes on locally and says so. */
        void lost();

        /** The link is back: the room says so; the link re-claims {@link #members()}'s names. */
        void restored();

        /** The members on this instance now. */
        List<Member> members();

        /** A member on another instance is gone (its instance died): tell every member, here and elsewhere. */
        void gone(String name);

        /**
         * A member here gave {@code name} up (left, or took another) while the link was down, so the other instances
         * never heard: tell them it left.
         */
        void leftWhileDown(String name);

        /** A member's name is held on another instance (found when the link came back): tell that member. */
        void nameConflict(String name);
    }
}
