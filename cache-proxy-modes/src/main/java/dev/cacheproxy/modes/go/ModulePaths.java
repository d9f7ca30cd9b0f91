package dev.cacheproxy.modes.go;

import java.util.regex.Pattern;

/**
 * Module paths and versions as the module proxy protocol spells them: upper-case letters escaped as
 * {@code !} plus the lower-case letter (the go command sends {@code !} as {@code %21}), versions in
 * canonical semver.
 */
final class ModulePaths {
    /** An escaped path element: lower case, digits, {@code -._~} and {@code !x}; no leading dot or dash. */
    private static final Pattern ELEMENT = Pattern.compile("(?:[a-z0-9_~]|![a-z])(?:[a-z0-9._~-]|![a-z])*");
    /** Canonical semver as the go command writes it: {@code vX.Y.Z[-pre][+incompatible]} (escaped). */
    private static final Pattern VERSION = Pattern.compile(
            "v(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-(?:[0-9a-z-]|![a-z])+(?:\\.(?:[0-9a-z-]|![a-z])+)*)?"
                    + "(\\+incompatible)?");

    private ModulePaths() {}

    /**
     * Whether {@code escaped} is a module path in its escaped form: at least one element, the first with
     * a dot (a domain name), no dot segments, no upper case.
     */
    static boolean isEscapedPath(String escaped) {
        String[] elements = escaped.split("/", -1);
        if (elements.length == 0 || !elements[0].contains(".")) {
            return false;
        }
        for (String e : elements) {
            if (!ELEMENT.matcher(e).matches() || e.endsWith(".") || e.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code escaped} is a canonical version (an exact one, not a query such as a branch). */
    static boolean isCanonicalVersion(String escaped) {
        return VERSION.matcher(escaped).matches();
    }

    /** {@code !c!a} → {@code CA}. */
    static String unescape(String escaped) {
        StringBuilder sb = new StringBuilder(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '!' && i + 1 < escaped.length()) {
                sb.append(Character.toUpperCase(escaped.charAt(++i)));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
