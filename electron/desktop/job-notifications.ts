/**
 * Shows the desktop notifications the engine's events call for (desktop-notices.ts):
 * finished jobs and raised alerts, also while the window is hidden in the tray.
 */
import { Notification } from 'electron';
import type { EventBus } from '../engine/index.ts';
import type { AppLog } from './app-log.ts';
import { notificationFor, type DesktopNotice } from './desktop-notices.ts';

/** Shows one notification; false when this desktop cannot show notifications. */
export function showDesktopNotice(
  notice: DesktopNotice,
  options: { log: AppLog; onClick?: () => void; iconPath?: string },
): boolean {
  if (!Notification.isSupported()) return false;
  try {
    const notification = new Notification({
      title: notice.title,
      body: notice.body,
      urgency: notice.urgency,
      ...(options.iconPath !== undefined ? { icon: options.iconPath } : {}),
    });
    if (options.onClick) notification.on('click', options.onClick);
    notification.show();
    return true;
  } catch (error) {
    options.log.warn('Could not show a notification:', error);
    return false;
  }
}

/** Returns the unsubscribe function. `onClick` opens the window. */
export function startJobNotifications(
  events: EventBus,
  options: { log: AppLog; onClick: () => void; iconPath?: string },
): () => void {
  if (!Notification.isSupported()) {
    options.log.warn('Desktop notifications are not supported here; job results show in the app only.');
    return () => undefined;
  }
  return events.onAny((event, payload) => {
    const notice = notificationFor(event, payload);
    if (notice) showDesktopNotice(notice, options);
  });
}
