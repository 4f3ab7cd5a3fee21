import React from 'react';
import { Text } from '@grafana/ui';

/** A labelled figure: the label small and muted, the value below it, and how it was found when that helps. */
export function Fact({ label, value, how, testId }: { label: string; value: string; how?: string; testId?: string }) {
  return (
    <div data-testid={testId}>
      <Text color="secondary" variant="bodySmall">
        {label}
      </Text>
      <div>
        <Text weight="medium">{value}</Text>
      </div>
      {how && (
        <Text color="secondary" variant="bodySmall">
          {how}
        </Text>
      )}
    </div>
  );
}
