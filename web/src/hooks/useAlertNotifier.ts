/**
 * App-wide reaction to a new alert (`event.opened`): a beep, a browser notification and a
 * toast, whatever screen is showing. Sound and notifications are per-browser toggles.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/client';
import type { AlertEvent, CameraNotice } from '../api/types';
import { useToast } from '../components/toast';
import { beep } from '../lib/beep';
import { formatScore, topReasonText } from '../lib/format';
import { showNotification } from '../lib/notify';
import { usePref } from '../lib/prefs';
import { useCameras } from './data';
import { useStreamEvent, useStreamReconnect } from './stream';

export function useAlertNotifier() {
  const [sound, setSound] = usePref('sound', true);
  const [notify, setNotify] = usePref('notifications', false);
  const [newCount, setNewCount] = useState<number | null>(null);
  const toast = useToast();
  const navigate = useNavigate();
  const { cameraName } = useCameras();
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const refreshCount = useCallback(async () => {
    try {
      const page = await api.events.list({ review_status: 'new', limit: 1 });
      setNewCount(page.total);
    } catch {
      /* keep the last count */
    }
  }, []);

  useEffect(() => {
    void refreshCount();
    return () => clearTimeout(refreshTimer.current);
  }, [refreshCount]);

  useStreamReconnect(() => void refreshCount());

  useStreamEvent<AlertEvent>(['event.opened', 'event.reviewed'], (event, type) => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => void refreshCount(), 500);
    if (type !== 'event.opened' || !event?.id) return;
    const where = cameraName(event.camera_id);
    const reason = topReasonText(event.reasons);
    if (sound) beep();
    if (notify)
      showNotification(`Alert: ${where}`, {
        body: `${reason} (${formatScore(event.peak_score)})`,
        tag: event.id,
        onClick: () => navigate(`/events/${event.id}`),
      });
    toast.show(
      {
        tone: 'alert',
        title: `New alert — ${where}`,
        body: `${reason} · ${formatScore(event.peak_score)}`,
        onClick: () => navigate(`/events/${event.id}`),
      },
      8000,
    );
  });

  useStreamEvent<CameraNotice>('camera.notice', (n) => {
    if (!n?.camera_id) return;
    const offline = n.status === 'offline';
    toast.show(
      {
        tone: offline ? 'danger' : 'success',
        title: offline ? `${cameraName(n.camera_id)} is offline` : `${cameraName(n.camera_id)} is back`,
        body: n.text,
      },
      offline ? 10_000 : 4000,
    );
  });

  return { sound, setSound, notify, setNotify, newCount };
}
