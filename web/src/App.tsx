import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import type { ReactNode } from 'react';
import { useAuth } from './auth/AuthContext';
import type { Permission } from './auth/permissions';
import { Layout } from './components/Layout';
import { Loading } from './components/ui';
import { CamerasProvider } from './hooks/data';
import { StreamProvider, type EventSourceFactory } from './hooks/stream';
import { AlertsPage } from './pages/AlertsPage';
import { CamerasPage } from './pages/CamerasPage';
import { EventDetailPage } from './pages/EventDetailPage';
import { LivePage } from './pages/LivePage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SettingsPage } from './pages/SettingsPage';
import { SystemPage } from './pages/SystemPage';

function RequireAuth({ children }: { children: ReactNode }) {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Loading label="Connecting to ShopGuard…" />;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

/** Screens a role may not use are not routed for it (and not in the menu). */
function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useAuth();
  return can(permission) ? <>{children}</> : <Navigate to="/live" replace />;
}

export function App({ eventSourceFactory }: { eventSourceFactory?: EventSourceFactory }) {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <StreamProvider factory={eventSourceFactory}>
              <CamerasProvider>
                <Layout />
              </CamerasProvider>
            </StreamProvider>
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/live" replace />} />
        <Route path="/live" element={<LivePage />} />
        <Route path="/alerts" element={<AlertsPage />} />
        <Route path="/events/:id" element={<EventDetailPage />} />
        <Route
          path="/cameras"
          element={
            <RequirePermission permission="manageCameras">
              <CamerasPage />
            </RequirePermission>
          }
        />
        <Route
          path="/settings"
          element={
            <RequirePermission permission="settings">
              <SettingsPage />
            </RequirePermission>
          }
        />
        <Route path="/system" element={<SystemPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
