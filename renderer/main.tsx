/** Renderer entry: styles, then the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/features.css';
import './styles/file-browser.css';
import './styles/configure-backup.css';
import './styles/point-files.css';
import './styles/restore.css';
import { App } from './app.tsx';

const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><App /></StrictMode>);
