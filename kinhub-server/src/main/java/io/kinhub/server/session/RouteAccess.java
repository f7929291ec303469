package io.kinhub.server.session;

import io.javalin.security.RouteRole;

/**
 * What a route declares it needs before its handler runs, as a Javalin route role: {@code
 * routes.get(path, handler, SESSION)}. {@link Authentication#register} answers {@code 401} for such
 * routes without a live session and hands the session to the handler through {@link
 * Authentication#session}. Routes without a role are public.
 */
public enum RouteAccess implements RouteRole {
  /** The caller must present a live session ({@code Authorization: Bearer <token>}). */
  SESSION
}
