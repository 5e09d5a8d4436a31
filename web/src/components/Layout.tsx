import { NavLink, Outlet } from 'react-router-dom';
import {
  Bell,
  BellOff,
  Camera,
  Cctv,
  Cpu,
  LogOut,
  Settings,
  ShieldAlert,
  ShieldCheck,
  Volume2,
  VolumeX,
  Wifi,
  WifiOff,
} from 'lucide-react';
import { useAuth } from '../auth/AuthContext';
import { useAlertNotifier } from '../hooks/useAlertNotifier';
import { useStreamState } from '../hooks/stream';
import { unlockAudio, beep } from '../lib/beep';
import { notificationsSupported, requestNotificationPermission } from '../lib/notify';
import { Badge, Button } from './ui';
import { useToast } from './toast';

export function Layout() {
  const { user, logout, can } = useAuth();
  const { sound, setSound, notify, setNotify, newCount } = useAlertNotifier();
  const streamState = useStreamState();
  const toast = useToast();

  const toggleSound = () => {
    unlockAudio();
    if (!sound) beep({ volume: 0.12 });
    setSound(!sound);
  };
  const toggleNotify = async () => {
    if (notify) return setNotify(false);
    if (await requestNotificationPermission()) setNotify(true);
    else
      toast.show({
        tone: 'danger',
        title: 'Notifications are blocked',
        body: 'Allow notifications for this site in the browser settings.',
      });
  };

  return (
    <div className="shell">
      <div className="brand">
        <ShieldCheck size={22} color="var(--accent)" aria-hidden />
        ShopGuard
      </div>
      <header className="header">
        <span className="header-title-brand">
          <ShieldCheck size={20} color="var(--accent)" aria-hidden /> ShopGuard
        </span>
        <div className="grow" />
        {streamState === 'open' ? (
          <Badge tone="success" title="Receiving live updates">
            <Wifi size={13} aria-hidden /> Live updates
          </Badge>
        ) : (
          <Badge tone="warning" title="Live updates are reconnecting; lists may be stale">
            <WifiOff size={13} aria-hidden /> {streamState === 'connecting' ? 'Connecting…' : 'Offline'}
          </Badge>
        )}
        <Button
          variant="ghost"
          iconOnly
          label={sound ? 'Alert sound on (click to mute)' : 'Alert sound off (click to turn on)'}
          aria-pressed={sound}
          icon={sound ? <Volume2 size={18} /> : <VolumeX size={18} />}
          onClick={toggleSound}
        />
        {notificationsSupported() && (
          <Button
            variant="ghost"
            iconOnly
            label={notify ? 'Browser notifications on (click to turn off)' : 'Browser notifications off (click to turn on)'}
            aria-pressed={notify}
            icon={notify ? <Bell size={18} /> : <BellOff size={18} />}
            onClick={() => void toggleNotify()}
          />
        )}
        <span className="muted nowrap" title={`Signed in as ${user?.username} (${user?.role})`}>
          {user?.username} <Badge>{user?.role}</Badge>
        </span>
        <Button variant="ghost" iconOnly label="Sign out" icon={<LogOut size={18} />} onClick={() => void logout()} />
      </header>
      <nav className="nav" aria-label="Main">
        <NavLink to="/live">
          <Cctv size={18} aria-hidden /> Live
        </NavLink>
        <NavLink to="/alerts">
          <ShieldAlert size={18} aria-hidden /> Alerts
          {!!newCount && (
            <span className="nav-count">
              <Badge tone="solid-danger" title={`${newCount} alerts not yet reviewed`}>
                {newCount > 99 ? '99+' : newCount}
              </Badge>
            </span>
          )}
        </NavLink>
        {can('manageCameras') && (
          <NavLink to="/cameras">
            <Camera size={18} aria-hidden /> Cameras
          </NavLink>
        )}
        {can('settings') && (
          <NavLink to="/settings">
            <Settings size={18} aria-hidden /> Settings
          </NavLink>
        )}
        <NavLink to="/system">
          <Cpu size={18} aria-hidden /> System
        </NavLink>
      </nav>
      <main className="main" id="main">
        <Outlet />
      </main>
    </div>
  );
}
