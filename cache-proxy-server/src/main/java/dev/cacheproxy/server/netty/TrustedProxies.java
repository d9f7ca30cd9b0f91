package dev.cacheproxy.server.netty;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code server.trusted_proxies}: the addresses (single IPs or CIDR ranges) of reverse proxies whose
 * {@code X-Forwarded-Proto}/{@code X-Forwarded-Host} are believed. From anyone else those headers are
 * ignored: a client must not be able to choose the URLs the proxy writes into documents it stores.
 */
public final class TrustedProxies {
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    private record Range(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** Parses entries that {@link #check} accepted. */
    public static TrustedProxies of(List<String> entries) {
        List<Range> out = new ArrayList<>();
        for (String e : entries) {
            out.add(parse(e.trim()));
        }
        return new TrustedProxies(out);
    }

    /** An error message for an entry that is not an IP address or CIDR range, else null. */
    public static String check(String entry) {
        try {
            parse(entry.trim());
            return null;
        } catch (IllegalArgumentException e) {
            return "'" + entry + "' is not an IP address or CIDR range (expected e.g. 10.0.0.0/8 or 127.0.0.1)";
        }
    }

    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] a = address.getAddress();
        for (Range r : ranges) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static Range parse(String entry) {
        int slash = entry.indexOf('/');
        String ip = slash < 0 ? entry : entry.substring(0, slash);
        if (!ip.matches("[0-9a-fA-F:.]+") || (!ip.contains(".") && !ip.contains(":"))) {
            throw new IllegalArgumentException(entry); // never a host name: no DNS look-up here
        }
        byte[] network;
        try {
            network = InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(entry, e);
        }
        int prefix;
        try {
            prefix = slash < 0 ? network.length * 8 : Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(entry, e);
        }
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException(entry);
        }
        return new Range(network, prefix);
    }
}
