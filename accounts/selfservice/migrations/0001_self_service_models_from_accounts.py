"""The self-service models, taken over from the accounts app with their tables and rows: state only.
The tables keep their accounts_ names here; the next migration renames them."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0006_self_service_models_leave_accounts"),
        ("portal", "0005_self_service"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='SecurityQuestion',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('text_fr', models.CharField(max_length=200, verbose_name='question (French)')),
                    ('text_en', models.CharField(max_length=200, verbose_name='question (English)')),
                    ('min_length', models.PositiveSmallIntegerField(default=4, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='shortest answer')),
                    ('max_length', models.PositiveSmallIntegerField(default=40, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='longest answer')),
                    ('is_active', models.BooleanField(default=True, help_text='Withdrawn questions stay answered but are no longer offered.', verbose_name='offered')),
                    ('position', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                    ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='portal.tenant', verbose_name='tenant')),
                ],
                options={
                    'db_table': 'accounts_securityquestion',
                    'verbose_name': 'security question',
                    'verbose_name_plural': 'security questions',
                    'ordering': ['position', 'id'],
                },
            ),
            migrations.CreateModel(
                name='AccountLink',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('other', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='portal.tenant')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'accounts_accountlink',
                    'ordering': ['created_at', 'id'],
                    'constraints': [models.UniqueConstraint(fields=('user', 'other'), name='one_link_per_pair')],
                },
            ),
            migrations.CreateModel(
                name='RecoveryIdentity',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('employee_number', models.CharField(blank=True, db_index=True, max_length=20, verbose_name='employee number')),
                    ('pin', models.CharField(blank=True, editable=False, max_length=200, verbose_name='PIN (hashed)')),
                    ('birth_date', models.DateField(blank=True, null=True, verbose_name='date of birth')),
                    ('sin_digest', models.CharField(blank=True, db_index=True, editable=False, max_length=64, verbose_name='last six SIN digits (keyed hash)')),
                    ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='portal.tenant')),
                    ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='recovery_identity', to=settings.AUTH_USER_MODEL, verbose_name='account')),
                ],
                options={
                    'db_table': 'accounts_recoveryidentity',
                    'verbose_name': 'recovery data',
                    'verbose_name_plural': 'recovery data',
                    'constraints': [models.UniqueConstraint(condition=models.Q(('employee_number', ''), _negated=True), fields=('tenant', 'employee_number'), name='employee_number_unique_per_tenant')],
                },
            ),
            migrations.CreateModel(
                name='SecurityAnswer',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('purpose', models.CharField(choices=[('self', 'to recover the account'), ('helpdesk', 'asked by the help desk')], default='self', max_length=10)),
                    ('answer', models.CharField(editable=False, max_length=200)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='portal.tenant')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='security_answers', to=settings.AUTH_USER_MODEL)),
                    ('question', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='selfservice.securityquestion')),
                ],
                options={
                    'db_table': 'accounts_securityanswer',
                    'ordering': ['id'],
                    'constraints': [models.UniqueConstraint(fields=('user', 'purpose', 'question'), name='one_answer_per_question')],
                },
            ),
            ],
            database_operations=[],
        ),
    ]
