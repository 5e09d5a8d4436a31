/** Browser notifications for new alerts (only shown when permission was granted). */
export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export async function requestNotificationPermission(): Promise<boolean> {
  if (!notificationsSupported()) return false;
  if (Notification.permission === 'granted') return true;
  if (Notification.permission === 'denied') return false;
  return (await Notification.requestPermission()) === 'granted';
}

export function showNotification(title: string, options: NotificationOptions & { onClick?: () => void } = {}): void {
  if (!notificationsSupported() || Notification.permission !== 'granted') return;
  const { onClick, ...rest } = options;
  try {
    const n = new Notification(title, rest);
    if (onClick)
      n.onclick = () => {
        window.focus();
        onClick();
        n.close();
      };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}
