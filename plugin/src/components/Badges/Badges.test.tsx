import React from 'react';
import { render, screen } from '@testing-library/react';
import { SEVERITY_COLOR, SeverityBadge, StatusBadge } from './Badges';

describe('Badges', () => {
  it('shows the severity and the status in words', () => {
    render(
      <>
        <SeverityBadge severity="critical" />
        <StatusBadge status="acknowledged" />
      </>,
    );
    expect(screen.getByText('critical')).toBeInTheDocument();
    expect(screen.getByText('acknowledged')).toBeInTheDocument();
  });

  it('colours every contract severity, the worst one red', () => {
    expect(SEVERITY_COLOR).toEqual({ critical: 'red', warning: 'orange', info: 'blue' });
  });
});
