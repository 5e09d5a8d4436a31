import { Link } from 'react-router-dom';
import { EmptyState } from '../components/ui';

export function NotFoundPage() {
  return (
    <div className="page">
      <EmptyState title="Page not found">
        <Link to="/live">Back to the live view</Link>
      </EmptyState>
    </div>
  );
}
