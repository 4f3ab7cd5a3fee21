import React from 'react';

/**
 * The scaffold's react-inlinesvg mock (.config/jest/mocks/react-inlinesvg.tsx), with the file name taken in linear
 * time: its regex `(.+)\/(.+)\.svg$` backtracks for seconds over an inline SVG source such as EmptyState's
 * illustration (11 s for the unconfigured app page on this machine), and that page's test timed out under load.
 */
const InlineSVG = ({ src }: { src: string }) => {
  // testId is the file name without extension (public/img/icons/angle-double-down.svg -> angle-double-down).
  const file = src.endsWith('.svg') ? src.slice(src.lastIndexOf('/') + 1, -'.svg'.length) : src;
  return <svg xmlns="http://www.w3.org/2000/svg" data-testid={file} viewBox="0 0 24 24" />;
};

export default InlineSVG;
