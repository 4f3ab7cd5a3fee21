import React, { useState } from 'react';
import { Button, type ComponentSize } from '@grafana/ui';
import { currentPermissions } from '../../utils/roles';
import { SpendLimitModal } from './SpendLimitModal';

interface Props {
  email: string;
  incidentId?: number;
  /** After Cursor accepted a change (the page reloads its timeline). */
  onChanged?: () => void;
  size?: ComponentSize;
}

/** "Spend limit": Admins only (plugin.json gives the change route reqRole Admin; Viewers and Editors see nothing). */
export function SpendLimitButton({ email, incidentId, onChanged, size = 'md' }: Props) {
  const { canAdmin } = currentPermissions();
  const [open, setOpen] = useState(false);
  if (!canAdmin) {
    return null;
  }
  return (
    <>
      <Button size={size} variant="secondary" icon="dollar-alt" onClick={() => setOpen(true)}>
        Spend limit
      </Button>
      {open && (
        <SpendLimitModal
          email={email}
          incidentId={incidentId}
          onDismiss={() => setOpen(false)}
          onChanged={() => onChanged?.()}
        />
      )}
    </>
  );
}
