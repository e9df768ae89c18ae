package dev.braid.internal.javaworker;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.CallContext;
import dev.braid.internal.javaworker.source.JavaSourceException;
import dev.braid.internal.javaworker.source.SourceClassLoader;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.stream.BaseStream;

/**
 * A resolved {@code pkg.Class#method}: the public method, its target (null for static methods, else
 * one instance made with the public no-argument constructor), and how JSON arguments map to its
 * parameters. A trailing {@link CallContext} parameter receives the call's context.
 */
final class JavaMethod {
  /** Raised for references that do not resolve; the message is a sentence for the user. */
  static final class UnknownFunction extends Exception {
    private static final long serialVersionUID = 1L;

    UnknownFunction(String message) {
      super(message, null, false, false);
    }
  }

  /** Raised for arguments that do not fit the method's parameters. */
  static final class BadArguments extends Exception {
    private static final long serialVersionUID = 1L;

    BadArguments(String message) {
      super(message, null, false, false);
    }
  }

  private final Method method;
  private final Object target;
  private final JavaType[] types;
  private final Parameter[] params;
  private final boolean wantsContext;

  private JavaMethod(Method method, Object target, ObjectMapper json) {
    this.method = method;
    this.target = target;
    Parameter[] all = method.getParameters();
    this.wantsContext =
        all.length > 0 && CallContext.class.isAssignableFrom(all[all.length - 1].getType());
    int n = wantsContext ? all.length - 1 : all.length;
    this.params = Arrays.copyOf(all, n);
    this.types = new JavaType[n];
    for (int i = 0; i < n; i++) {
      types[i] = json.getTypeFactory().constructType(params[i].getParameterizedType());
    }
  }

  /** Resolves {@code pkg.Class#method} with {@code loader}, ready to be invoked. */
  static JavaMethod resolve(String ref, ClassLoader loader, ObjectMapper json)
      throws UnknownFunction {
    return resolve(ref, loader, json, true);
  }

  /**
   * Resolves {@code pkg.Class#method} for its kind and signature only: the class is neither
   * initialized nor instantiated, so none of its code runs (the gateway inspects functions that run
   * in a Java worker process this way). The result cannot be invoked.
   */
  static JavaMethod inspect(String ref, ClassLoader loader, ObjectMapper json)
      throws UnknownFunction {
    return resolve(ref, loader, json, false);
  }

  private static JavaMethod resolve(String ref, ClassLoader loader, ObjectMapper json, boolean run)
      throws UnknownFunction {
    int hash = ref.indexOf('#');
    if (hash <= 0 || hash == ref.length() - 1) {
      throw new UnknownFunction(
          "invalid Java function reference '" + ref + "': write java:pkg.Class#method");
    }
    String className = ref.substring(0, hash);
    String name = ref.substring(hash + 1);
    boolean rootsOnly = loader instanceof SourceClassLoader s && s.isRootsOnly();
    if (rootsOnly) {
      // before the class is initialized: a refused class runs no static initializer
      try {
        ((SourceClassLoader) loader).functionClass(className);
      } catch (SourceClassLoader.NotExposed e) {
        throw new UnknownFunction("refused 'java:" + ref + "': " + e.getMessage());
      } catch (ClassNotFoundException | LinkageError e) {
        // reported with the usual message below
      }
    }
    Class<?> cls;
    try {
      cls = Class.forName(className, run, loader);
    } catch (JavaSourceException e) {
      // the class is there as a source: say why it cannot be used, not that it is missing
      throw new UnknownFunction("cannot use 'java:" + ref + "': " + e.getMessage());
    } catch (LinkageError e) {
      if (e.getCause() instanceof JavaSourceException s) {
        // a class it needs is a source that does not compile
        throw new UnknownFunction("cannot use 'java:" + ref + "': " + s.getMessage());
      }
      throw new UnknownFunction(
          "unknown function 'java:"
              + ref
              + "': class "
              + className
              + " is not on the classpath ("
              + e
              + ")");
    } catch (ClassNotFoundException e) {
      throw new UnknownFunction(
          "unknown function 'java:" + ref + "': class " + className + " is not on the classpath");
    }
    List<Method> candidates = new ArrayList<>();
    for (Method m : cls.getMethods()) {
      if (m.getName().equals(name) && !m.isBridge() && !m.isSynthetic()) {
        candidates.add(m);
      }
    }
    if (candidates.isEmpty()) {
      throw new UnknownFunction(
          "unknown function 'java:" + ref + "': " + className + " has no public method " + name);
    }
    if (candidates.size() > 1) {
      throw new UnknownFunction(
          "ambiguous function 'java:"
              + ref
              + "': "
              + className
              + " has "
              + candidates.size()
              + " public methods named "
              + name
              + "; give it a unique name");
    }
    Method m = candidates.get(0);
    if (rootsOnly && m.getDeclaringClass().getClassLoader() != loader) {
      throw new UnknownFunction(
          "refused 'java:"
              + ref
              + "': "
              + name
              + " is declared by "
              + m.getDeclaringClass().getName()
              + ", which is not a class of the exposed Java classpath");
    }
    Object target = null;
    if (run && !Modifier.isStatic(m.getModifiers())) {
      try {
        Constructor<?> c = cls.getConstructor();
        target = c.newInstance();
      } catch (ReflectiveOperationException e) {
        throw new UnknownFunction(
            "cannot use 'java:"
                + ref
                + "': "
                + name
                + " is an instance method and "
                + className
                + " has no public no-argument constructor ("
                + e
                + ")");
      }
    }
    return new JavaMethod(m, target, json);
  }

  /**
   * Converts JSON arguments: positional ones in order; keyword ones by parameter name (classes
   * compiled with {@code -parameters}), or, for a single-parameter method given only keywords, the
   * keyword object as that parameter (a record or a map).
   */
  Object[] bind(JsonNode args, JsonNode kwargs, ObjectMapper json, CallContext ctx)
      throws BadArguments {
    if (args != null && !args.isArray()) {
      // an object's size() would count its fields as positional arguments
      throw new BadArguments(
          "args for " + signature() + " must be a JSON array, got " + args.getNodeType());
    }
    int n = params.length;
    Object[] out = new Object[wantsContext ? n + 1 : n];
    int given = args == null ? 0 : args.size();
    boolean hasKw = kwargs != null && kwargs.isObject() && kwargs.size() > 0;
    if (hasKw
        && given == 0
        && n == 1
        && !(params[0].isNamePresent() && kwargs.has(params[0].getName()))) {
      out[0] = convert(kwargs, 0, json);
    } else {
      if (given > n) {
        throw new BadArguments(signature() + " takes " + n + " arguments, " + given + " given");
      }
      if (hasKw) {
        checkKeywords(kwargs, given);
      }
      for (int i = 0; i < given; i++) {
        out[i] = convert(args.get(i), i, json);
      }
      for (int i = given; i < n; i++) {
        JsonNode v = hasKw && params[i].isNamePresent() ? kwargs.get(params[i].getName()) : null;
        if (v == null) {
          throw new BadArguments(
              signature() + " is missing argument " + (i + 1) + " (" + params[i].getName() + ")");
        }
        out[i] = convert(v, i, json);
      }
    }
    if (wantsContext) {
      out[n] = ctx;
    }
    return out;
  }

  /**
   * Refuses keyword names no parameter has, and parameters given both by position and by name, as
   * Python's {@code Signature.bind} and the Node worker do: a misspelt {@code with:} key must not
   * be dropped in silence.
   */
  private void checkKeywords(JsonNode kwargs, int given) throws BadArguments {
    List<String> names = new ArrayList<>();
    for (Parameter p : params) {
      names.add(p.isNamePresent() ? p.getName() : null);
    }
    for (Iterator<String> it = kwargs.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      int at = names.indexOf(name);
      if (at < 0) {
        throw new BadArguments(
            signature()
                + " has no parameter '"
                + name
                + "'"
                + (names.contains(null)
                    ? " (its class was compiled without -parameters: pass values in order in"
                        + " args:)"
                    : "; name its parameters in with:, or pass values in order in args:"));
      }
      if (at < given) {
        throw new BadArguments(
            signature() + " got parameter '" + name + "' twice: in args: and in with:");
      }
    }
  }

  private Object convert(JsonNode v, int i, ObjectMapper json) throws BadArguments {
    try {
      return json.convertValue(v, types[i]);
    } catch (IllegalArgumentException e) {
      throw new BadArguments(
          "argument "
              + (i + 1)
              + " of "
              + signature()
              + " cannot be a "
              + types[i].getGenericSignature()
              + ": "
              + e.getMessage());
    }
  }

  /** Invokes; the method's own exception is rethrown unwrapped. */
  Object invoke(Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Whether a result of this method is streamed item by item. */
  static boolean isStream(Object result) {
    return result instanceof BaseStream<?, ?>
        || result instanceof Iterator<?>
        || result instanceof Flow.Publisher<?>;
  }

  static boolean isAsync(Object result) {
    return result instanceof CompletionStage<?>;
  }

  String kind() {
    Class<?> r = method.getReturnType();
    if (CompletionStage.class.isAssignableFrom(r)) {
      return "async";
    }
    if (BaseStream.class.isAssignableFrom(r)
        || Iterator.class.isAssignableFrom(r)
        || Flow.Publisher.class.isAssignableFrom(r)) {
      return "generator";
    }
    return "sync";
  }

  String signature() {
    StringBuilder sb =
        new StringBuilder(method.getDeclaringClass().getSimpleName())
            .append('#')
            .append(method.getName())
            .append('(');
    for (int i = 0; i < params.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(params[i].getType().getSimpleName()).append(' ').append(params[i].getName());
    }
    return sb.append(')').toString();
  }

  /** {@code (Type name, ...) -> Result}, the call context left out: for the catalog. */
  String displaySignature() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < params.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(params[i].getType().getSimpleName()).append(' ').append(params[i].getName());
    }
    return sb.append(") -> ").append(method.getReturnType().getSimpleName()).toString();
  }
}
