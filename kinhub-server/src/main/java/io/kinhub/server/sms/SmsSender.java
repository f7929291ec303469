package io.kinhub.server.sms;

/** Delivers one text message. Throwing makes the job retry. */
public interface SmsSender {
  /**
   * Sends {@code text} to {@code phone}.
   *
   * @param messageId stable across retries of the same message (the job id), for de-duplication
   *     downstream
   */
  void send(String messageId, String phone, String text) throws Exception;
}
