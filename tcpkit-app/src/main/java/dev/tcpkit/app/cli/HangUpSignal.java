package dev.tcpkit.app.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import org.jspecify.annotations.Nullable;

/**
 * SIGHUP, handled through {@code sun.misc.Signal} (module {@code jdk.unsupported}), the JDK's only signal API. Reached
 * by reflection: javac's warning on that API cannot be suppressed, and the build fails on warnings.
 */
final class HangUpSignal {
    private HangUpSignal() {}

    /**
     * Runs {@code action} on each SIGHUP, on the JVM's signal thread, instead of the JVM's default (exit).
     *
     * @return why not, if the signal cannot be handled here (no SIGHUP on this platform, or the JVM keeps it: {@code
     *     -Xrs}); {@code null} once installed
     */
    static @Nullable String handle(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object hangUp = signalClass.getConstructor(String.class).newInstance("HUP");
            InvocationHandler onSignal = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    action.run();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "SIGHUP handler";
            };
            Object handler =
                    Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, onSignal);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, hangUp, handler);
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return String.valueOf(cause.getMessage());
        }
    }
}
