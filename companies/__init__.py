"""The companies app: industries, companies, representatives, scorecard storage and the directory."""
