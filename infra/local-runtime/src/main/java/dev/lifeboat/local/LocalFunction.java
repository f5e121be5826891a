package dev.lifeboat.local;

import com.amazonaws.services.lambda.runtime.Context;
import dev.lifeboat.workflowruntime.InvocationContext;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.local.template.FunctionDef;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One function of the template, run in this JVM like a warm Lambda: the handler class is instantiated once, on the
 * first invocation, and reused; invocations run one at a time, as one Lambda execution environment runs them.
 *
 * <p>The handler class is a {@link RequestStreamHandler} or a {@link RequestHandler}. It gets its environment
 * through a public {@code (java.util.Map<String,String>)} constructor when it has one, else the no-arg one is used.
 */
public final class LocalFunction {

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final FunctionDef definition;
    private final Map<String, String> environment;
    private final ClassLoader classLoader;
    private final PrintStream stderr;
    private Object handler;
    private JavaType inputType;

    public LocalFunction(FunctionDef definition, Map<String, String> environment, ClassLoader classLoader,
            PrintStream stderr) {
        this.definition = Objects.requireNonNull(definition);
        this.environment = Map.copyOf(environment);
        this.classLoader = Objects.requireNonNull(classLoader);
        this.stderr = Objects.requireNonNull(stderr);
    }

    public FunctionDef definition() {
        return definition;
    }

    public Map<String, String> environment() {
        return environment;
    }

    /**
     * Runs the handler on a JSON payload and returns what it wrote or returned, as JSON bytes.
     *
     * @throws Exception whatever the handler threw, or why it could not be loaded
     */
    public synchronized byte[] invoke(byte[] payload, String requestId) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try {
            Object instance = handler();
            Context context = new InvocationContext(definition.logicalId(), LocalEnvironment.functionArn(definition.logicalId()),
                    requestId, definition.memorySize(), java.time.Duration.ofSeconds(definition.timeout()), stderr);
            if (instance instanceof RequestStreamHandler streamHandler) {
                ByteArrayOutputStream output = new ByteArrayOutputStream();
                streamHandler.handleRequest(new ByteArrayInputStream(payload), output, context);
                return output.toByteArray();
            }
            @SuppressWarnings("unchecked")
            RequestHandler<Object, Object> requestHandler = (RequestHandler<Object, Object>) instance;
            Object input = JSON.readValue(payload, inputType);
            return JSON.writeValueAsBytes(requestHandler.handleRequest(input, context));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private Object handler() throws ReflectiveOperationException {
        if (handler != null) {
            return handler;
        }
        String className = definition.handlerClass();
        Class<?> type;
        try {
            type = Class.forName(className, true, classLoader);
        } catch (ClassNotFoundException e) {
            throw new ClassNotFoundException("Handler class " + className + " of function " + definition.logicalId()
                    + " is not on the classpath of the local runtime", e);
        }
        if (!RequestStreamHandler.class.isAssignableFrom(type) && !RequestHandler.class.isAssignableFrom(type)) {
            throw new IllegalStateException("Handler " + className + " of function " + definition.logicalId()
                    + " implements neither RequestStreamHandler nor RequestHandler");
        }
        Object instance = instantiate(type);
        if (instance instanceof RequestHandler<?, ?>) {
            inputType = JSON.getTypeFactory().constructType(inputParameter(type));
            if (inputType.getRawClass() == Object.class) {
                inputType = JSON.getTypeFactory().constructType(LinkedHashMap.class);
            }
        }
        handler = instance;
        return instance;
    }

    private Object instantiate(Class<?> type) throws ReflectiveOperationException {
        Constructor<?> constructor;
        Object[] arguments;
        try {
            constructor = type.getConstructor(Map.class);
            arguments = new Object[] {environment};
        } catch (NoSuchMethodException e) {
            constructor = type.getConstructor();
            arguments = new Object[0];
        }
        try {
            return constructor.newInstance(arguments);
        } catch (InvocationTargetException e) {
            // What the constructor threw is what a Lambda init error would report.
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw new IllegalStateException("Handler " + type.getName() + " failed to initialise: " + cause,
                        exception);
            }
            throw e;
        }
    }

    /** The event type of {@code handleRequest(I, Context)}: the non-bridge method with the most specific input. */
    private static java.lang.reflect.Type inputParameter(Class<?> type) {
        java.lang.reflect.Type found = Object.class;
        for (Method method : type.getMethods()) {
            if (method.getName().equals("handleRequest") && method.getParameterCount() == 2
                    && method.getParameterTypes()[1] == Context.class && !method.isBridge()
                    && !Modifier.isStatic(method.getModifiers())) {
                found = method.getGenericParameterTypes()[0];
            }
        }
        return found;
    }
}
