package dev.lifeboat.sim;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * An exchange whose answer is swallowed: the simulator reads the request and acts on it, but nothing reaches the
 * client, whose connection is then closed (the "accept the start, then drop the answer" fault).
 */
final class MutedExchange extends HttpExchange {
    private final HttpExchange real;
    private final Headers responseHeaders = new Headers();

    MutedExchange(HttpExchange real) {
        this.real = real;
    }

    @Override
    public Headers getRequestHeaders() {
        return real.getRequestHeaders();
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return real.getRequestURI();
    }

    @Override
    public String getRequestMethod() {
        return real.getRequestMethod();
    }

    @Override
    public HttpContext getHttpContext() {
        return real.getHttpContext();
    }

    @Override
    public void close() {
        // the server closes the real exchange, without an answer
    }

    @Override
    public InputStream getRequestBody() {
        return real.getRequestBody();
    }

    @Override
    public OutputStream getResponseBody() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) {
        // swallowed
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return real.getRemoteAddress();
    }

    @Override
    public int getResponseCode() {
        return -1;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return real.getLocalAddress();
    }

    @Override
    public String getProtocol() {
        return real.getProtocol();
    }

    @Override
    public Object getAttribute(String name) {
        return real.getAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        real.setAttribute(name, value);
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        // the streams stay as they are: reads from the real request, writes to nowhere
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return real.getPrincipal();
    }
}
