package io.kinhub.server.account;

/**
 * An account as the API shows it to its owner: {@code POST /api/v1/accounts} and {@code GET
 * /api/v1/me}.
 */
public record AccountBody(String id, String login, String displayName) {}
