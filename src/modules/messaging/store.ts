// Tables of messaging (see migrations/001_messaging.sql for what each row means). No rules here.
import type { Generated, Selectable } from 'kysely';

export type Channel = 'sms' | 'email' | 'appio';
export type MessageState = 'draft' | 'queued' | 'sending' | 'sent' | 'cancelled';
export type DispatchState = 'planning' | 'sending' | 'done' | 'cancelled';
export type DeliveryState = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'skipped' | 'uncertain';
export type ConsentVia = 'page' | 'email_link' | 'sms_stop' | 'import' | 'operator' | 'api';
export type SubscriberSource = 'web' | 'import' | 'operator';

declare module '../../platform/db/schema.js' {
  interface DB {
    msg_settings: {
      ente_id: string;
      sms_sender: string;
      sms_cents_per_part: Generated<number>;
      quiet_start: Generated<string>;
      quiet_end: Generated<string>;
      sms_transliterate: Generated<boolean>;
      updated_at: Generated<Date>;
    };
    msg_appio_service: { ente_id: string; topic_code: string; service_id: string; api_key: string };
    msg_topic: {
      ente_id: string;
      code: string;
      label: string;
      description: string | null;
      urgent: Generated<boolean>;
      position: Generated<number>;
      active: Generated<boolean>;
    };
    msg_subscriber: {
      ente_id: string;
      id: Generated<string>;
      phone: string | null;
      phone_verified_at: Date | null;
      phone_opted_out_at: Date | null;
      email: string | null;
      email_verified_at: Date | null;
      email_opted_out_at: Date | null;
      fiscal_code: string | null;
      source: SubscriberSource;
      consent_basis: string | null;
      unsubscribe_token: Generated<string>;
      created_at: Generated<Date>;
    };
    msg_subscription: {
      ente_id: string;
      subscriber_id: string;
      topic_code: string;
      consented_at: Date;
      revoked_at: Date | null;
    };
    msg_consent_event: {
      ente_id: string;
      id: Generated<string>;
      subscriber_id: string;
      topic_code: string | null;
      action: 'grant' | 'revoke';
      channel: Channel | null;
      via: ConsentVia;
      consent_text: string | null;
      ip: string | null;
      at: Generated<Date>;
    };
    msg_otp: {
      ente_id: string;
      id: Generated<string>;
      channel: 'sms' | 'email';
      address: string;
      code_hash: string;
      request: unknown;
      attempts: Generated<number>;
      expires_at: Date;
      confirmed_at: Date | null;
      created_at: Generated<Date>;
    };
    msg_message: {
      ente_id: string;
      id: Generated<string>;
      kind: Generated<'broadcast' | 'notification'>;
      title: string;
      body: string;
      sms_text: string | null;
      topics: Generated<string[]>;
      target_ente_ids: string[];
      channels: Generated<Channel[]>;
      urgent: Generated<boolean>;
      cap: unknown | null;
      state: Generated<MessageState>;
      send_after: Date | null;
      created_by: string;
      created_at: Generated<Date>;
      queued_at: Date | null;
      origin_module: string | null;
      origin_key: string | null;
    };
    msg_dispatch: {
      ente_id: string;
      id: Generated<string>;
      message_ente_id: string;
      message_id: string;
      title: string;
      body: string;
      sms_text: string;
      topics: string[];
      channels: Channel[];
      urgent: boolean;
      sender_name: string;
      state: Generated<DispatchState>;
      send_after: Date | null;
      plan_cursor: string | null;
      planned: Generated<number>;
      created_at: Generated<Date>;
      finished_at: Date | null;
    };
    msg_delivery: {
      ente_id: string;
      id: Generated<string>;
      dispatch_id: string;
      recipient_key: string;
      subscriber_id: string | null;
      channel: Channel;
      address: string;
      fiscal_code: string | null;
      state: Generated<DeliveryState>;
      attempts: Generated<number>;
      next_attempt_at: Generated<Date>;
      lease_until: Date | null;
      provider_ref: string | null;
      sms_parts: number | null;
      error: string | null;
      fallback_from: Channel | null;
      /** App IO: committed just before the submit request goes out (what a crash left unknown, see appio/channel.ts). */
      appio_submit_at: Date | null;
      created_at: Generated<Date>;
      sent_at: Date | null;
      delivered_at: Date | null;
    };
    msg_sms_part: {
      ente_id: string;
      delivery_id: string;
      seq: number;
      smsc_message_id: string;
      state: Generated<'accepted' | 'delivered' | 'failed' | 'expired' | 'unknown'>;
      receipt_status: string | null;
      receipt_at: Date | null;
    };
  }
}

import type { DB } from '../../platform/db/index.js';
export type SettingsRow = Selectable<DB['msg_settings']>;
export type TopicRow = Selectable<DB['msg_topic']>;
export type SubscriberRow = Selectable<DB['msg_subscriber']>;
export type MessageRow = Selectable<DB['msg_message']>;
export type DispatchRow = Selectable<DB['msg_dispatch']>;
export type DeliveryRow = Selectable<DB['msg_delivery']>;
