package dev.tcpkit.app.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import org.jspecify.annotations.Nullable;

/**
 * Signals (SIGHUP, SIGTERM, SIGINT), handled through {@code sun.misc.Signal} (module {@code jdk.unsupported}), the
 * JDK's only signal API. Reached by reflection: javac's warning on that API cannot be suppressed, and the build fails
 * on warnings.
 */
final class Signals {
    private Signals() {}

    /**
     * Runs {@code action} on each {@code SIGname} ({@code "HUP"}, {@code "TERM"}, {@code "INT"}), on the JVM's signal
     * thread, instead of the JVM's default (for these three: run the shutdown hooks and exit). A signal the process
     * was started ignoring (SIGINT behind {@code &} in a script) stays ignored.
     *
     * @return why not, if the signal cannot be handled here (not on this platform, or the JVM keeps it: {@code -Xrs});
     *     {@code null} once installed
     */
    static @Nullable String handle(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            InvocationHandler onSignal = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    action.run();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "SIG" + name + " handler";
            };
            Object handler =
                    Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, onSignal);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return String.valueOf(cause.getMessage());
        }
    }
}
