import React from 'react';
import { render, screen } from '@testing-library/react';
import { Fact } from './Fact';

describe('Fact', () => {
  it('shows the label, the value and how it was found', () => {
    render(<Fact label="Suggested limit" value="$675" how="× 1.5 of the forecast" testId="fact" />);
    expect(screen.getByTestId('fact')).toHaveTextContent('Suggested limit$675× 1.5 of the forecast');
  });

  it('leaves out how when not given', () => {
    render(<Fact label="Owner" value="—" testId="fact" />);
    expect(screen.getByTestId('fact')).toHaveTextContent(/^Owner—$/);
  });
});
